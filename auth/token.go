package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// Token errors. The HTTP layer maps them to its messages; none of them says
// anything about the key or the expected MAC.
var (
	ErrTokenMalformed = errors.New("auth: token is malformed")
	ErrTokenSignature = errors.New("auth: token signature is invalid")
	ErrTokenExpired   = errors.New("auth: token has expired")
)

// tokenPrefix names the format version; a future format gets a new prefix.
const tokenPrefix = "CBT1."

// MaxTokenLength bounds the tokens Issue produces and Verify looks at, well
// under the 5000 characters the OSM API allows for X-Auth-Token.
const MaxTokenLength = 1024

// DefaultTokenTTL is the token lifetime when Tokens.TTL is zero: Huawei IAM
// tokens are valid for 24 hours.
const DefaultTokenTTL = 24 * time.Hour

// Claims is what a token asserts. Epoch is the user's epoch at issue: the
// HTTP layer compares it with the current one (Service.ResolvePrincipal), so
// disabling a user or changing a password ends their tokens without any
// token store.
type Claims struct {
	Realm     casebook.Realm
	UserID    string
	AccountID string // customers only
	Epoch     int64
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// tokenPayload is the compact JSON inside a token. Times are unix
// milliseconds, the precision of stored times.
type tokenPayload struct {
	Realm     string `json:"r"`
	UserID    string `json:"u"`
	AccountID string `json:"a,omitempty"`
	Epoch     int64  `json:"e"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
}

// Tokens issues and verifies stateless bearer tokens:
//
//	CBT1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, "CBT1.<claims>"))>
//
// Verification needs no database round trip.
type Tokens struct {
	Key []byte        // normally DeriveKey(master, PurposeToken); at least 32 bytes
	TTL time.Duration // lifetime of issued tokens; DefaultTokenTTL when zero
}

// Issue returns a token for c. c.IssuedAt is required (the caller owns the
// clock); a zero c.ExpiresAt becomes IssuedAt + TTL.
func (t *Tokens) Issue(c Claims) (string, error) {
	if len(t.Key) < KeySize {
		return "", fmt.Errorf("token key is %d bytes, want at least %d", len(t.Key), KeySize)
	}
	if c.IssuedAt.IsZero() {
		return "", errors.New("issue token: IssuedAt is required")
	}
	if c.ExpiresAt.IsZero() {
		ttl := t.TTL
		if ttl == 0 {
			ttl = DefaultTokenTTL
		}
		c.ExpiresAt = c.IssuedAt.Add(ttl)
	}
	p := tokenPayload{
		Realm:     string(c.Realm),
		UserID:    c.UserID,
		AccountID: c.AccountID,
		Epoch:     c.Epoch,
		IssuedAt:  c.IssuedAt.UnixMilli(),
		ExpiresAt: c.ExpiresAt.UnixMilli(),
	}
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("marshal token claims: %w", err)
	}
	signed := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	token := signed + "." + base64.RawURLEncoding.EncodeToString(t.mac(signed))
	if len(token) > MaxTokenLength {
		return "", fmt.Errorf("issue token: token would be %d characters, limit %d", len(token), MaxTokenLength)
	}
	return token, nil
}

// Verify checks a token's MAC and expiry at now and returns its claims. The
// error is ErrTokenMalformed, ErrTokenSignature or ErrTokenExpired (the MAC
// is checked before anything inside the token is trusted).
func (t *Tokens) Verify(token string, now time.Time) (Claims, error) {
	if len(t.Key) < KeySize {
		return Claims{}, fmt.Errorf("token key is %d bytes, want at least %d", len(t.Key), KeySize)
	}
	if len(token) > MaxTokenLength || !strings.HasPrefix(token, tokenPrefix) {
		return Claims{}, ErrTokenMalformed
	}
	dot := strings.LastIndexByte(token, '.')
	if dot < len(tokenPrefix) {
		return Claims{}, ErrTokenMalformed
	}
	signed, macText := token[:dot], token[dot+1:]
	mac, err := base64.RawURLEncoding.Strict().DecodeString(macText)
	if err != nil || len(mac) != sha256.Size {
		return Claims{}, ErrTokenMalformed
	}
	if !hmac.Equal(mac, t.mac(signed)) {
		return Claims{}, ErrTokenSignature
	}

	// Authentic from here on; a decoding failure means a format bug.
	b, err := base64.RawURLEncoding.Strict().DecodeString(signed[len(tokenPrefix):])
	if err != nil {
		return Claims{}, ErrTokenMalformed
	}
	var p tokenPayload
	if err := json.Unmarshal(b, &p); err != nil || p.validate() != nil {
		return Claims{}, ErrTokenMalformed
	}
	if now.UnixMilli() >= p.ExpiresAt {
		return Claims{}, ErrTokenExpired
	}
	return Claims{
		Realm:     casebook.Realm(p.Realm),
		UserID:    p.UserID,
		AccountID: p.AccountID,
		Epoch:     p.Epoch,
		IssuedAt:  time.UnixMilli(p.IssuedAt).UTC(),
		ExpiresAt: time.UnixMilli(p.ExpiresAt).UTC(),
	}, nil
}

func (t *Tokens) mac(signed string) []byte {
	h := hmac.New(sha256.New, t.Key)
	h.Write([]byte(signed))
	return h.Sum(nil)
}

func (p *tokenPayload) validate() error {
	switch casebook.Realm(p.Realm) {
	case casebook.RealmCustomer:
		if p.AccountID == "" {
			return errors.New("customer token without account id")
		}
	case casebook.RealmEngineer:
	default:
		return fmt.Errorf("unknown realm %q", p.Realm)
	}
	if p.UserID == "" {
		return errors.New("token without user id")
	}
	if p.ExpiresAt <= p.IssuedAt {
		return errors.New("token expires before it is issued")
	}
	return nil
}
