package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebook/casebook/auth"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Run("CreatesThenLoads", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state", "keys")
		path := filepath.Join(dir, "master.key")
		key, err := auth.LoadOrCreateKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(key) != auth.KeySize || bytes.Equal(key, make([]byte, auth.KeySize)) {
			t.Fatalf("key = %x, want 32 random bytes", key)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode = %04o, want 0600", perm)
		}
		di, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := di.Mode().Perm(); perm != 0o700 {
			t.Errorf("key directory mode = %04o, want 0700", perm)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(b)); got != hex.EncodeToString(key) {
			t.Errorf("file holds %q, want the hex key", got)
		}

		again, err := auth.LoadOrCreateKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, key) {
			t.Error("second load returned a different key")
		}
	})

	t.Run("DistinctFilesDistinctKeys", func(t *testing.T) {
		dir := t.TempDir()
		k1, err := auth.LoadOrCreateKeyFile(filepath.Join(dir, "a.key"))
		if err != nil {
			t.Fatal(err)
		}
		k2, err := auth.LoadOrCreateKeyFile(filepath.Join(dir, "b.key"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(k1, k2) {
			t.Error("two new key files hold the same key")
		}
	})

	t.Run("ErrReadableByOthers", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "master.key")
		secret := strings.Repeat("ab", 32)
		if err := os.WriteFile(path, []byte(secret+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil { // umask-proof
			t.Fatal(err)
		}
		_, err := auth.LoadOrCreateKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), "group or others") || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("err = %v, want a clear permission error", err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Error("error message contains the key")
		}
		// The refused file is left alone, not replaced by a new key.
		b, _ := os.ReadFile(path)
		if strings.TrimSpace(string(b)) != secret {
			t.Error("refused key file was modified")
		}
	})

	t.Run("ErrGroupReadable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "master.key")
		if err := os.WriteFile(path, []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.LoadOrCreateKeyFile(path); err == nil {
			t.Fatal("group-readable key file accepted")
		}
	})

	t.Run("ErrBadContent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "master.key")
		if err := os.WriteFile(path, []byte("not a key at all\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.LoadOrCreateKeyFile(path); err == nil {
			t.Fatal("garbage key file accepted")
		}
	})

	t.Run("ErrDirectory", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := auth.LoadOrCreateKeyFile(dir); err == nil {
			t.Fatal("a directory was accepted as key file")
		}
	})
}

func TestParseKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i*7 + 3)
	}
	for name, s := range map[string]string{
		"Hex":          hex.EncodeToString(key),
		"HexUpper":     strings.ToUpper(hex.EncodeToString(key)),
		"HexSpaces":    "  " + hex.EncodeToString(key) + "\n",
		"Base64":       base64.StdEncoding.EncodeToString(key),
		"Base64Raw":    base64.RawStdEncoding.EncodeToString(key),
		"Base64URL":    base64.URLEncoding.EncodeToString(key),
		"Base64RawURL": base64.RawURLEncoding.EncodeToString(key),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := auth.ParseKey(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Fatalf("ParseKey = %x, want %x", got, key)
			}
		})
	}

	for name, s := range map[string]string{
		"Empty":      "   ",
		"ShortHex":   hex.EncodeToString(key[:16]),
		"LongBase64": base64.StdEncoding.EncodeToString(append(key, 1)),
		"Garbage":    "this is my secret passphrase!",
	} {
		t.Run("Err"+name, func(t *testing.T) {
			_, err := auth.ParseKey(s)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.TrimSpace(s) != "" && strings.Contains(err.Error(), strings.TrimSpace(s)) {
				t.Errorf("error %q echoes the input", err)
			}
		})
	}
}

func TestDeriveKey(t *testing.T) {
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	// Pinned: computed independently (RFC 5869 by hand with Python's hmac,
	// salt = 32 zero bytes, info = "casebook/"+purpose). If these change,
	// every sealed secret and issued token in the field becomes invalid.
	want := map[string]string{
		auth.PurposeToken:        "f6002e0792df16d46c637dfc51e6bc62ed260ebfdb2c3bb845fd443bfea9165b",
		auth.PurposeDownloadLink: "de3a4737a65941bb6cb9ea7f20f2c539da1be9480265a4fcb930366cbbbd21ff",
		auth.PurposeSeal:         "d6177fc1a67f2fe7b46493eb7c6018e7daf45f2c6074c8bd57faaea9ba5d1a46",
	}
	for purpose, w := range want {
		if got := hex.EncodeToString(auth.DeriveKey(master, purpose)); got != w {
			t.Errorf("DeriveKey(%q) = %s, want %s", purpose, got, w)
		}
	}

	other := bytes.Clone(master)
	other[31] ^= 1
	if bytes.Equal(auth.DeriveKey(master, auth.PurposeSeal), auth.DeriveKey(other, auth.PurposeSeal)) {
		t.Error("different masters derive the same key")
	}
	if bytes.Equal(auth.DeriveKey(master, auth.PurposeSeal), master) {
		t.Error("derived key equals the master key")
	}

	for name, f := range map[string]func(){
		"ShortMaster":  func() { auth.DeriveKey(make([]byte, 16), auth.PurposeSeal) },
		"EmptyPurpose": func() { auth.DeriveKey(master, "") },
	} {
		t.Run("Panic"+name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
