package casebook

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Password hashes are stored as
//
//	pbkdf2-sha256$<iterations>$<base64 salt>$<base64 key>
//
// (standard base64 without padding), so the iteration count can be raised
// later without invalidating existing hashes.
const (
	passwordScheme     = "pbkdf2-sha256"
	passwordSaltSize   = 16
	passwordKeySize    = sha256.Size
	MaxPasswordLength  = 128
	maxHashIterations  = 10_000_000 // refuse absurd counts from a corrupt hash row
	minHashIterations  = 1
	passwordHashFields = 4
)

// ValidatePassword checks that a password has 1..MaxPasswordLength
// characters.
func ValidatePassword(password string) error {
	if password == "" {
		return Invalidf("password", "The password must not be empty.")
	} else if utf8.RuneCountInString(password) > MaxPasswordLength {
		return Invalidf("password", "The password must be at most %d characters.", MaxPasswordLength)
	}
	return nil
}

// HashPassword validates the password and returns its PBKDF2-SHA256 hash
// with a fresh random salt. iterations below 1 use the default of
// DefaultConfig.
func HashPassword(password string, iterations int) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	if iterations < minHashIterations {
		iterations = DefaultConfig().PasswordIterations
	} else if iterations > maxHashIterations {
		return "", fmt.Errorf("hash password: %d iterations is more than the supported %d", iterations, maxHashIterations)
	}
	salt := make([]byte, passwordSaltSize)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeySize)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return encodePasswordHash(iterations, salt, key), nil
}

func encodePasswordHash(iterations int, salt, key []byte) string {
	enc := base64.RawStdEncoding
	return passwordScheme + "$" + strconv.Itoa(iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// VerifyPassword reports whether password matches hash. A malformed hash
// matches nothing. The comparison of the derived keys is constant-time.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != passwordHashFields || parts[0] != passwordScheme {
		return false
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations < minHashIterations || iterations > maxHashIterations {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(salt) == 0 {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, len(want))
	if err != nil {
		return false
	}
	// A password that could never have been set does not match, but it is
	// only rejected after the key derivation so that it takes as long.
	return subtle.ConstantTimeCompare(got, want) == 1 && ValidatePassword(password) == nil
}

// dummyPasswordHash returns a well-formed hash that no password matches,
// with the given cost. Logins compare against it when the user does not
// exist, so that an unknown name takes as long as a wrong password.
func dummyPasswordHash(iterations int) string {
	if iterations < minHashIterations {
		iterations = DefaultConfig().PasswordIterations
	}
	// An all-zero salt and key: deriving the zero key from any password
	// would take a preimage of HMAC-SHA256.
	return encodePasswordHash(iterations, make([]byte, passwordSaltSize), make([]byte, passwordKeySize))
}
