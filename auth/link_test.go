package auth_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/casebook/casebook/auth"
)

func TestLinks(t *testing.T) {
	links := &auth.Links{Key: auth.DeriveKey(bytes.Repeat([]byte{9}, 32), auth.PurposeDownloadLink), TTL: 10 * time.Minute}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const file, account = "AC00000000000000000000000001", "fedcba9876543210fedcba9876543210"
	expires, sig := links.Sign(file, account, now)

	if want := now.Add(10 * time.Minute).Unix(); expires != want {
		t.Errorf("expires = %d, want %d", expires, want)
	}
	if len(sig) != 43 {
		t.Errorf("signature %q: want 43 base64url characters", sig)
	}

	t.Run("OK", func(t *testing.T) {
		for _, at := range []time.Time{now, now.Add(9*time.Minute + 59*time.Second)} {
			if err := links.Verify(file, account, expires, sig, at); err != nil {
				t.Errorf("at %v: %v", at, err)
			}
		}
	})

	t.Run("ErrLinkExpired", func(t *testing.T) {
		for _, at := range []time.Time{now.Add(10 * time.Minute), now.Add(time.Hour)} {
			if err := links.Verify(file, account, expires, sig, at); !errors.Is(err, auth.ErrLinkExpired) {
				t.Errorf("at %v: err = %v, want ErrLinkExpired", at, err)
			}
		}
	})

	t.Run("ErrLinkSignature", func(t *testing.T) {
		other := &auth.Links{Key: auth.DeriveKey(bytes.Repeat([]byte{10}, 32), auth.PurposeDownloadLink)}
		cases := map[string]func() error{
			"OtherFile":     func() error { return links.Verify("AC00000000000000000000000002", account, expires, sig, now) },
			"OtherAccount":  func() error { return links.Verify(file, "00000000000000000000000000000000", expires, sig, now) },
			"Extended":      func() error { return links.Verify(file, account, expires+3600, sig, now) },
			"Shortened":     func() error { return links.Verify(file, account, expires-1, sig, now) },
			"OtherKey":      func() error { return other.Verify(file, account, expires, sig, now) },
			"Empty":         func() error { return links.Verify(file, account, expires, "", now) },
			"NotBase64":     func() error { return links.Verify(file, account, expires, "***", now) },
			"Truncated":     func() error { return links.Verify(file, account, expires, sig[:42], now) },
			"FlippedChar":   func() error { return links.Verify(file, account, expires, flipFirst(sig), now) },
			"SwappedFields": func() error { return links.Verify(account, file, expires, sig, now) },
			// Expired and altered: the alteration is what is reported.
			"ExtendedAfterExpiry": func() error { return links.Verify(file, account, expires+3600, sig, now.Add(time.Hour)) },
		}
		for name, verify := range cases {
			if err := verify(); !errors.Is(err, auth.ErrLinkSignature) {
				t.Errorf("%s: err = %v, want ErrLinkSignature", name, err)
			}
		}
	})

	t.Run("LengthPrefixed", func(t *testing.T) {
		// Without length prefixes "ab"+"c" and "a"+"bc" would share a MAC.
		e1, s1 := links.Sign("ab", "c", now)
		if err := links.Verify("a", "bc", e1, s1, now); !errors.Is(err, auth.ErrLinkSignature) {
			t.Fatalf("err = %v, want ErrLinkSignature", err)
		}
		if _, s2 := links.Sign("a", "bc", now); s1 == s2 {
			t.Fatal("different field splits give the same signature")
		}
	})

	t.Run("DefaultTTL", func(t *testing.T) {
		l := &auth.Links{Key: links.Key}
		e, _ := l.Sign(file, account, now)
		if want := now.Add(auth.DefaultLinkTTL).Unix(); e != want {
			t.Fatalf("expires = %d, want %d", e, want)
		}
	})

	t.Run("ErrShortKey", func(t *testing.T) {
		l := &auth.Links{Key: []byte("short")}
		if err := l.Verify(file, account, expires, sig, now); err == nil {
			t.Error("Verify accepted a short key")
		}
		defer func() {
			if recover() == nil {
				t.Error("Sign with a short key did not panic")
			}
		}()
		l.Sign(file, account, now)
	})
}

func flipFirst(s string) string {
	return string(flipBase64(s[0])) + s[1:]
}

func BenchmarkLinkVerify(b *testing.B) {
	links := &auth.Links{Key: auth.DeriveKey(bytes.Repeat([]byte{9}, 32), auth.PurposeDownloadLink)}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	expires, sig := links.Sign("AC00000000000000000000000001", "fedcba9876543210fedcba9876543210", now)
	for b.Loop() {
		if err := links.Verify("AC00000000000000000000000001", "fedcba9876543210fedcba9876543210", expires, sig, now); err != nil {
			b.Fatal(err)
		}
	}
}
