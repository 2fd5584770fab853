package auth_test

import (
	"bytes"
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/casebook/casebook/auth"
)

var temporaryKey = auth.DeriveKey(bytes.Repeat([]byte{7}, 32), auth.PurposeSecurityToken)

func TestTemporaryKeys(t *testing.T) {
	keys := &auth.TemporaryKeys{Key: temporaryKey}
	c := customerClaims()
	c.ExpiresAt = issuedAt.Add(15 * time.Minute)
	tk, err := keys.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z2-7]{20}$`).MatchString(tk.AccessKey) || len(tk.SecretKey) != 40 ||
		tk.SecurityToken == "" || !tk.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("issued %q, SK of %d characters, token %d characters, expires %s", tk.AccessKey, len(tk.SecretKey), len(tk.SecurityToken), tk.ExpiresAt)
	}

	got, sk, err := keys.Open(tk.AccessKey, tk.SecurityToken, issuedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if string(sk) != tk.SecretKey || got.UserID != c.UserID || got.AccountID != c.AccountID || got.Epoch != c.Epoch {
		t.Fatalf("Open = %+v (secret matches: %v)", got, string(sk) == tk.SecretKey)
	}

	// A second key for the same claims is a different key.
	c2 := c
	c2.IssuedAt = c.IssuedAt.Add(time.Millisecond)
	tk2, err := keys.Issue(c2)
	if err != nil {
		t.Fatal(err)
	}
	if tk2.AccessKey == tk.AccessKey || tk2.SecretKey == tk.SecretKey {
		t.Errorf("two issues gave the same AK or SK")
	}

	for name, tc := range map[string]struct {
		ak, token string
		now       time.Time
		keys      *auth.TemporaryKeys
		want      error
	}{
		"OtherAccessKey":   {tk2.AccessKey, tk.SecurityToken, issuedAt, keys, auth.ErrTemporaryKeyMismatch},
		"Expired":          {tk.AccessKey, tk.SecurityToken, c.ExpiresAt, keys, auth.ErrTokenExpired},
		"OtherServerKey":   {tk.AccessKey, tk.SecurityToken, issuedAt, &auth.TemporaryKeys{Key: bytes.Repeat([]byte{8}, 32)}, auth.ErrTokenSignature},
		"TamperedToken":    {tk.AccessKey, flipLast(tk.SecurityToken), issuedAt, keys, nil},
		"BearerTokenAsKey": {tk.AccessKey, bearerToken(t, c), issuedAt, keys, auth.ErrTokenSignature},
	} {
		t.Run(name, func(t *testing.T) {
			_, sk, err := tc.keys.Open(tc.ak, tc.token, tc.now)
			if err == nil || sk != nil {
				t.Fatalf("Open = secret %v, %v; want an error", sk != nil, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
		})
	}

	// A request the SDK signs with the key and its token verifies with the
	// secret Open returns; the token must be among the signed headers.
	req, _ := http.NewRequest("GET", "http://127.0.0.1:8080/v2/servicerequest/cases?limit=1", nil)
	req.Header.Set("X-Security-Token", tk.SecurityToken)
	now := issuedAt.Add(time.Minute)
	if err := auth.SignRequest(req, nil, tk.AccessKey, tk.SecretKey, now); err != nil {
		t.Fatal(err)
	}
	if err := auth.VerifyRequest(req, nil, sk, now, 0); err != nil {
		t.Fatalf("a request signed with the temporary key: %v", err)
	}
}

// bearerToken issues an X-Auth-Token for c with the same master key.
func bearerToken(t *testing.T, c auth.Claims) string {
	t.Helper()
	tok, err := (&auth.Tokens{Key: tokenKey}).Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
