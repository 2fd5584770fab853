package auth_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/casebook/casebook/auth"
)

func mustSealer(t testing.TB, master byte) *auth.Sealer {
	t.Helper()
	s, err := auth.NewSealer(auth.DeriveKey(bytes.Repeat([]byte{master}, 32), auth.PurposeSeal))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealer(t *testing.T) {
	s := mustSealer(t, 1)
	secret := []byte("root / p@ss<word>")
	owner := []byte("AU3M8K2Q9T7V1X4Z6R")

	sealed, err := s.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	if sealed[0] != 1 {
		t.Errorf("version byte = %d, want 1", sealed[0])
	}
	if len(sealed) != 1+12+len(secret)+16 {
		t.Errorf("sealed length = %d, want version+nonce+ciphertext+tag = %d", len(sealed), 1+12+len(secret)+16)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value contains the plaintext")
	}

	t.Run("OK", func(t *testing.T) {
		got, err := s.Open(sealed, owner)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, secret) {
			t.Fatalf("Open = %q, want %q", got, secret)
		}
		// A second Sealer with the same key opens it too (a restart).
		got, err = mustSealer(t, 1).Open(sealed, owner)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("new sealer: Open = %q, %v", got, err)
		}
	})

	t.Run("FreshNonce", func(t *testing.T) {
		again, err := s.Seal(secret, owner)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(again, sealed) {
			t.Error("sealing twice gave identical bytes")
		}
	})

	t.Run("EmptyPlaintext", func(t *testing.T) {
		e, err := s.Seal(nil, owner)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Open(e, owner)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("Open = %v, %v; want empty non-nil", got, err)
		}
	})

	t.Run("ErrWrongAssociatedData", func(t *testing.T) {
		for _, ad := range [][]byte{[]byte("AU3M8K2Q9T7V1X4Z6S"), nil, []byte("")} {
			if _, err := s.Open(sealed, ad); !errors.Is(err, auth.ErrUnseal) {
				t.Errorf("Open with ad %q: err = %v, want ErrUnseal", ad, err)
			}
		}
	})

	t.Run("ErrWrongKey", func(t *testing.T) {
		if _, err := mustSealer(t, 2).Open(sealed, owner); !errors.Is(err, auth.ErrUnseal) {
			t.Fatalf("err = %v, want ErrUnseal", err)
		}
	})

	t.Run("ErrTamperedByte", func(t *testing.T) {
		for i := range sealed {
			for _, bit := range []byte{0x01, 0x80} {
				c := bytes.Clone(sealed)
				c[i] ^= bit
				if _, err := s.Open(c, owner); !errors.Is(err, auth.ErrUnseal) {
					t.Fatalf("byte %d ^ %#x: err = %v, want ErrUnseal", i, bit, err)
				}
			}
		}
	})

	t.Run("ErrTruncated", func(t *testing.T) {
		for n := range len(sealed) {
			if _, err := s.Open(sealed[:n], owner); !errors.Is(err, auth.ErrUnseal) {
				t.Fatalf("first %d bytes: err = %v, want ErrUnseal", n, err)
			}
		}
		if _, err := s.Open(append(bytes.Clone(sealed), 0), owner); !errors.Is(err, auth.ErrUnseal) {
			t.Fatalf("extended: err = %v, want ErrUnseal", err)
		}
	})

	t.Run("ErrKeySize", func(t *testing.T) {
		for _, n := range []int{0, 16, 24, 31, 33, 64} {
			if _, err := auth.NewSealer(make([]byte, n)); err == nil {
				t.Errorf("NewSealer accepted a %d-byte key", n)
			}
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	s := mustSealer(b, 1)
	secret := []byte("a server password of typical length")
	owner := []byte("AU3M8K2Q9T7V1X4Z6R")
	for b.Loop() {
		if _, err := s.Seal(secret, owner); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	s := mustSealer(b, 1)
	owner := []byte("AU3M8K2Q9T7V1X4Z6R")
	sealed, err := s.Seal([]byte("a server password of typical length"), owner)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Open(sealed, owner); err != nil {
			b.Fatal(err)
		}
	}
}
