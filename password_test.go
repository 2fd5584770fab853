package casebook_test

import (
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

func TestPassword_HashAndVerify(t *testing.T) {
	hash, err := casebook.HashPassword("correct horse", 1000)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" || parts[1] != "1000" {
		t.Fatalf("hash %q is not pbkdf2-sha256$1000$<salt>$<key>", hash)
	}
	if strings.Contains(hash, "correct horse") {
		t.Fatal("hash contains the password")
	}
	if !casebook.VerifyPassword(hash, "correct horse") {
		t.Fatal("right password rejected")
	}
	for _, wrong := range []string{"", "correct horsE", "correct horse ", "correct hors"} {
		if casebook.VerifyPassword(hash, wrong) {
			t.Fatalf("wrong password %q accepted", wrong)
		}
	}

	// A fresh salt each time: equal passwords do not give equal hashes.
	again, err := casebook.HashPassword("correct horse", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Fatal("two hashes of one password are equal")
	}
	if !casebook.VerifyPassword(again, "correct horse") {
		t.Fatal("second hash rejects the password")
	}
}

// The encoding is plain PBKDF2-HMAC-SHA256, so hashes can be checked by
// other tools: RFC 7914 section 11, P="passwd", S="salt", c=1 (the first 32
// bytes of the 64-byte vector).
func TestPassword_RFC7914Vector(t *testing.T) {
	const hash = "pbkdf2-sha256$1$c2FsdA$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw"
	if !casebook.VerifyPassword(hash, "passwd") {
		t.Fatal("RFC 7914 vector not verified")
	}
	if casebook.VerifyPassword(hash, "passwe") {
		t.Fatal("RFC 7914 vector verified with the wrong password")
	}
}

func TestPassword_Length(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password string
		ok       bool
	}{
		{"Empty", "", false},
		{"One", "x", true},
		{"128ASCII", strings.Repeat("a", 128), true},
		{"129ASCII", strings.Repeat("a", 129), false},
		// Characters, not bytes: 128 three-byte characters are fine.
		{"128Han", strings.Repeat("密", 128), true},
		{"129Han", strings.Repeat("密", 129), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hash, err := casebook.HashPassword(tt.password, 1)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				} else if !casebook.VerifyPassword(hash, tt.password) {
					t.Fatal("password rejected")
				}
				return
			}
			if code := casebook.ErrorCode(err); code != casebook.EINVALID {
				t.Fatalf("code %q (err %v), want %q", code, err, casebook.EINVALID)
			}
		})
	}
}

func TestPassword_MalformedHashMatchesNothing(t *testing.T) {
	good, err := casebook.HashPassword("secret", 10)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	// Flip one character of the derived key.
	key := []byte(parts[3])
	if key[0] == 'A' {
		key[0] = 'B'
	} else {
		key[0] = 'A'
	}
	for name, hash := range map[string]string{
		"Empty":          "",
		"Plaintext":      "secret",
		"OtherScheme":    "bcrypt$10$" + parts[2] + "$" + parts[3],
		"ZeroIterations": "pbkdf2-sha256$0$" + parts[2] + "$" + parts[3],
		"BadIterations":  "pbkdf2-sha256$ten$" + parts[2] + "$" + parts[3],
		"HugeIterations": "pbkdf2-sha256$99999999999$" + parts[2] + "$" + parts[3],
		"BadSalt":        "pbkdf2-sha256$10$!!$" + parts[3],
		"EmptyKey":       "pbkdf2-sha256$10$" + parts[2] + "$",
		"MissingField":   "pbkdf2-sha256$10$" + parts[2],
		"ExtraField":     good + "$x",
		"OtherIteration": "pbkdf2-sha256$11$" + parts[2] + "$" + parts[3],
		"TamperedKey":    "pbkdf2-sha256$10$" + parts[2] + "$" + string(key),
	} {
		if casebook.VerifyPassword(hash, "secret") {
			t.Errorf("%s: hash %q accepted", name, hash)
		}
	}
	if !casebook.VerifyPassword(good, "secret") {
		t.Fatal("the untouched hash must still verify")
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := casebook.HashPassword("benchmark password", casebook.DefaultConfig().PasswordIterations); err != nil {
			b.Fatal(err)
		}
	}
}
