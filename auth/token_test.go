package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

var (
	tokenKey = auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeToken)
	issuedAt = time.Date(2026, 11, 23, 10, 0, 0, 123_000_000, time.UTC)
)

func customerClaims() auth.Claims {
	return auth.Claims{
		Realm:     casebook.RealmCustomer,
		UserID:    "0123456789abcdef0123456789abcdef",
		AccountID: "fedcba9876543210fedcba9876543210",
		Epoch:     3,
		IssuedAt:  issuedAt,
	}
}

func TestTokens(t *testing.T) {
	tokens := &auth.Tokens{Key: tokenKey, TTL: time.Hour}
	token, err := tokens.Issue(customerClaims())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "CBT1.") || strings.Count(token, ".") != 2 {
		t.Fatalf("token %q is not CBT1.<claims>.<mac>", token)
	}
	if len(token) > 500 {
		t.Errorf("token is %d characters; expected a compact token", len(token))
	}

	t.Run("OK", func(t *testing.T) {
		got, err := tokens.Verify(token, issuedAt.Add(59*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		want := customerClaims()
		want.ExpiresAt = issuedAt.Add(time.Hour)
		if got != want {
			t.Fatalf("claims = %+v, want %+v", got, want)
		}
	})

	t.Run("Engineer", func(t *testing.T) {
		c := auth.Claims{Realm: casebook.RealmEngineer, UserID: "eng-1", Epoch: 0, IssuedAt: issuedAt}
		tok, err := tokens.Issue(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tokens.Verify(tok, issuedAt)
		if err != nil {
			t.Fatal(err)
		}
		if got.Realm != casebook.RealmEngineer || got.UserID != "eng-1" || got.AccountID != "" {
			t.Fatalf("claims = %+v", got)
		}
	})

	t.Run("ExplicitExpiry", func(t *testing.T) {
		c := customerClaims()
		c.ExpiresAt = issuedAt.Add(time.Minute)
		tok, err := tokens.Issue(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(tok, issuedAt.Add(2*time.Minute)); !errors.Is(err, auth.ErrTokenExpired) {
			t.Fatalf("err = %v, want ErrTokenExpired", err)
		}
	})

	t.Run("DefaultTTL", func(t *testing.T) {
		tok, err := (&auth.Tokens{Key: tokenKey}).Issue(customerClaims())
		if err != nil {
			t.Fatal(err)
		}
		c, err := tokens.Verify(tok, issuedAt)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ExpiresAt.Sub(c.IssuedAt); got != auth.DefaultTokenTTL {
			t.Fatalf("lifetime = %v, want %v", got, auth.DefaultTokenTTL)
		}
	})

	t.Run("ErrTokenExpired", func(t *testing.T) {
		for _, now := range []time.Time{issuedAt.Add(time.Hour), issuedAt.Add(48 * time.Hour)} {
			if _, err := tokens.Verify(token, now); !errors.Is(err, auth.ErrTokenExpired) {
				t.Errorf("at %v: err = %v, want ErrTokenExpired", now, err)
			}
		}
	})

	t.Run("ErrTokenSignature", func(t *testing.T) {
		other := &auth.Tokens{Key: auth.DeriveKey(bytes.Repeat([]byte{8}, 32), auth.PurposeToken)}
		if _, err := other.Verify(token, issuedAt); !errors.Is(err, auth.ErrTokenSignature) {
			t.Errorf("other key: err = %v, want ErrTokenSignature", err)
		}

		// Forge claims: a different user, a later expiry, a higher epoch.
		parts := strings.Split(token, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatal(err)
		}
		m["u"] = "ffffffffffffffffffffffffffffffff"
		m["exp"] = m["exp"].(float64) + 1e9
		forged, _ := json.Marshal(m)
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2]
		if _, err := tokens.Verify(tampered, issuedAt); !errors.Is(err, auth.ErrTokenSignature) {
			t.Errorf("forged claims: err = %v, want ErrTokenSignature", err)
		}

		// Every single-character change of the claims part breaks the MAC.
		for i := len("CBT1."); i < len("CBT1.")+len(parts[1]); i++ {
			c := []byte(token)
			c[i] = flipBase64(c[i])
			_, err := tokens.Verify(string(c), issuedAt)
			if !errors.Is(err, auth.ErrTokenSignature) {
				t.Fatalf("char %d changed: err = %v, want ErrTokenSignature", i, err)
			}
		}
		// A different MAC is a signature failure too.
		c := []byte(token)
		c[len(c)-5] = flipBase64(c[len(c)-5])
		if _, err := tokens.Verify(string(c), issuedAt); !errors.Is(err, auth.ErrTokenSignature) {
			t.Errorf("MAC changed: err = %v, want ErrTokenSignature", err)
		}
	})

	t.Run("ErrTokenMalformed", func(t *testing.T) {
		parts := strings.Split(token, ".")
		for name, bad := range map[string]string{
			"Empty":       "",
			"NoPrefix":    strings.TrimPrefix(token, "CBT1."),
			"OtherPrefix": "CBT2." + strings.TrimPrefix(token, "CBT1."),
			"NoMAC":       parts[0] + "." + parts[1],
			"EmptyMAC":    parts[0] + "." + parts[1] + ".",
			"ShortMAC":    parts[0] + "." + parts[1] + "." + parts[2][:20],
			"BadBase64":   parts[0] + "." + parts[1] + ".!!" + parts[2][2:],
			"TooLong":     token + strings.Repeat("A", auth.MaxTokenLength),
			"Bearer":      "Bearer " + token,
		} {
			if _, err := tokens.Verify(bad, issuedAt); !errors.Is(err, auth.ErrTokenMalformed) {
				t.Errorf("%s: err = %v, want ErrTokenMalformed", name, err)
			}
		}
	})

	t.Run("ErrIssue", func(t *testing.T) {
		for name, mutate := range map[string]func(*auth.Claims){
			"NoIssuedAt":       func(c *auth.Claims) { c.IssuedAt = time.Time{} },
			"NoUser":           func(c *auth.Claims) { c.UserID = "" },
			"NoAccount":        func(c *auth.Claims) { c.AccountID = "" },
			"BadRealm":         func(c *auth.Claims) { c.Realm = "admin" },
			"ExpiresBeforeIat": func(c *auth.Claims) { c.ExpiresAt = issuedAt.Add(-time.Second) },
			"Huge":             func(c *auth.Claims) { c.UserID = strings.Repeat("u", 2000) },
		} {
			c := customerClaims()
			mutate(&c)
			if _, err := tokens.Issue(c); err == nil {
				t.Errorf("%s: issued", name)
			}
		}
		if _, err := (&auth.Tokens{Key: []byte("short")}).Issue(customerClaims()); err == nil {
			t.Error("issued with a short key")
		}
		if _, err := (&auth.Tokens{}).Verify(token, issuedAt); err == nil {
			t.Error("verified with no key")
		}
	})

	t.Run("ErrorsHoldNoSecrets", func(t *testing.T) {
		c := []byte(token)
		c[6] = flipBase64(c[6])
		_, err := tokens.Verify(string(c), issuedAt)
		for _, secret := range []string{string(tokenKey), base64.RawURLEncoding.EncodeToString(tokenKey), strings.Split(token, ".")[2]} {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q reveals secret material", err)
			}
		}
	})
}

// flipBase64 returns a different base64url character.
func flipBase64(c byte) byte {
	if c == 'A' {
		return 'B'
	}
	return 'A'
}

func BenchmarkTokenVerify(b *testing.B) {
	tokens := &auth.Tokens{Key: tokenKey, TTL: time.Hour}
	token, err := tokens.Issue(customerClaims())
	if err != nil {
		b.Fatal(err)
	}
	now := issuedAt.Add(time.Minute)
	for b.Loop() {
		if _, err := tokens.Verify(token, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenIssue(b *testing.B) {
	tokens := &auth.Tokens{Key: tokenKey, TTL: time.Hour}
	c := customerClaims()
	for b.Loop() {
		if _, err := tokens.Issue(c); err != nil {
			b.Fatal(err)
		}
	}
}
