// Package auth holds Casebook's cryptography: key files and derived keys,
// the AES-256-GCM sealer for secrets at rest, stateless HMAC tokens, signed
// download links and verification of the Huawei SDK-HMAC-SHA256 request
// signature. It depends on the standard library and the domain only.
//
// Nothing in this package puts secret material (keys, tokens, signatures,
// secret keys) into an error message.
package auth

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// KeySize is the size in bytes of the master key and of every derived key.
const KeySize = 32

// Purposes of the keys derived from the master key. Each purpose gets an
// independent key, so a leak or misuse of one (say, a download-link key
// pasted into a log) does not expose the others.
const (
	PurposeToken         = "token"
	PurposeDownloadLink  = "download-link"
	PurposeSeal          = "seal"
	PurposeSecurityToken = "security-token" // temporary access keys
)

// LoadOrCreateKeyFile returns the master key stored in the file at path,
// creating the file with a fresh random key if it does not exist. The file
// holds the key hex-encoded; it is created with mode 0600 (and its directory
// with 0700 if missing). An existing file that group or others may access is
// refused, as a key everyone on the machine can read protects nothing.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	key = make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand, Go 1.24+)

	// O_EXCL: when two processes start at once, exactly one creates the file
	// and the other reads what the winner wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFileRetry(path)
	} else if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write key file: %w", err)
	}
	return key, nil
}

// readKeyFileRetry reads a key file another process has just created; it may
// still be empty for a moment.
func readKeyFileRetry(path string) ([]byte, error) {
	var err error
	for range 20 {
		var key []byte
		if key, err = readKeyFile(path); err == nil {
			return key, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, err
}

// readKeyFile reads and checks an existing key file. The returned error wraps
// fs.ErrNotExist when there is no file.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	// Unix permission bits mean nothing on Windows.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("key file %s is accessible by group or others (mode %04o); restrict it with: chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// ParseKey decodes a master key given by the operator (environment or
// configuration): 32 bytes written as 64 hex characters or in base64 (standard
// or URL alphabet, with or without padding). Surrounding whitespace is ignored.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("key is empty")
	}
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("key decodes to %d bytes, want %d", len(key), KeySize)
			}
			return key, nil
		}
	}
	// Never echo the input: it is (meant to be) a secret.
	return nil, fmt.Errorf("key is neither %d hex characters nor base64 of %d bytes", 2*KeySize, KeySize)
}

// DeriveKey derives the 32-byte key for one purpose (PurposeToken,
// PurposeDownloadLink, PurposeSeal) from the master key with HKDF-SHA256.
// The derivation is fixed: changing it would make every sealed secret
// unreadable and log every user out.
//
// It panics if master is shorter than 32 bytes or purpose is empty: both are
// programming errors that would otherwise yield weak keys silently.
func DeriveKey(master []byte, purpose string) []byte {
	if len(master) < KeySize {
		panic(fmt.Sprintf("auth: master key is %d bytes, want at least %d", len(master), KeySize))
	}
	if purpose == "" {
		panic("auth: empty key purpose")
	}
	key, err := hkdf.Key(sha256.New, master, nil, "casebook/"+purpose, KeySize)
	if err != nil {
		panic(fmt.Sprintf("auth: derive key: %v", err)) // only for absurd lengths
	}
	return key
}
