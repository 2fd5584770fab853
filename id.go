package casebook

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so ids read
// aloud over the phone survive.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// randomCode returns n random characters of the Crockford alphabet.
func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b)
}

// NewHexID returns 32 random lower-case hex characters, the form of IAM
// account, user and group ids.
func NewHexID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewCaseID returns a ticket id such as CS20261123K7Q2M9X4T1ZA: the UTC date
// of creation and 60 random bits. 22 characters, inside every documented
// limit (1..32).
func NewCaseID(now time.Time) string {
	return "CS" + now.UTC().Format("20060102") + randomCode(12)
}

// NewAuthorizationID returns an id such as AU1QK3M8Z2Q9T7V1X4Z6R7W
// (22 characters, inside the documented 1..32): the second of creation in
// 7 characters, then 65 random bits. Ids in order of creation keep the new
// authorizations together at the end of every index keyed by them, so the
// pages a confirmation touches stay cached however many old ones there are
// (with random ids its cost grew with the table; docs/benchmarks.md,
// issue 14).
func NewAuthorizationID(now time.Time) string {
	return "AU" + timeCode(now, 7) + randomCode(13)
}

// timeCode returns the Unix second of t in n Crockford characters, most
// significant first, so that codes sort as their times (7 characters last
// until the year 3058).
func timeCode(t time.Time, n int) string {
	sec := uint64(max(t.Unix(), 0))
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = crockford[sec&31]
		sec >>= 5
	}
	return string(b)
}

// NewAccessoryID returns an attachment id (18 characters).
func NewAccessoryID() string { return "AC" + randomCode(16) }

// NewMessageID returns a message id (18 characters).
func NewMessageID() string { return "MS" + randomCode(16) }

// NewAccessKeyID returns an AK: 20 upper-case letters and digits, like
// Huawei's.
func NewAccessKeyID() string { return randomCode(20) }
