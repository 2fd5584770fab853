package casebook

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PasswordPolicy is the rule every new password must meet, like Huawei
// IAM's password policy: a minimum length, a minimum number of character
// classes (lower-case letters, upper-case letters, digits, other
// characters), and not the user's name or the name reversed (ignoring
// case). It applies where a password is set (accounts, users, engineers,
// password changes), never to logins: tightening it locks no one out.
type PasswordPolicy struct {
	MinLength  int // characters, 1..MaxPasswordLength
	MinClasses int // character classes, 1..4
}

// Bounds of the policy's settings.
const (
	DefaultPasswordMinLength  = 8
	DefaultPasswordMinClasses = 2
	passwordClasses           = 4
)

// DefaultPasswordPolicy is IAM's default: 8 characters, 2 classes.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: DefaultPasswordMinLength, MinClasses: DefaultPasswordMinClasses}
}

// Validate checks the policy's own settings.
func (p PasswordPolicy) Validate() error {
	if p.MinLength < 1 || p.MinLength > MaxPasswordLength {
		return Invalidf("password_min_length", "The minimum password length must be 1 to %d, got %d.", MaxPasswordLength, p.MinLength)
	}
	if p.MinClasses < 1 || p.MinClasses > passwordClasses {
		return Invalidf("password_min_classes", "The minimum number of character classes must be 1 to %d, got %d.", passwordClasses, p.MinClasses)
	}
	return nil
}

// Check returns an EINVALID error saying what password lacks, or nil if
// userName may have it. A zero policy checks only the length bounds of
// ValidatePassword.
func (p PasswordPolicy) Check(password, userName string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(password); n < p.MinLength {
		return Invalidf("password", "The password must be at least %d characters.", p.MinLength)
	}
	if classes := passwordClassCount(password); classes < p.MinClasses {
		return Invalidf("password", "The password must mix at least %d of: lower-case letters, upper-case letters, digits, other characters.", p.MinClasses)
	}
	if userName != "" && (strings.EqualFold(password, userName) || strings.EqualFold(password, reverse(userName))) {
		return Invalidf("password", "The password must not be the user name or the user name reversed.")
	}
	return nil
}

// passwordClassCount counts the character classes password uses.
func passwordClassCount(password string) int {
	var lower, upper, digit, other int
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
