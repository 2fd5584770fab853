package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// ErrTemporaryKeyMismatch: the access key of a signed request is not the
// one its security token was issued with.
var ErrTemporaryKeyMismatch = errors.New("auth: access key does not belong to the security token")

// TemporaryKeys issues and opens temporary access keys (IAM's
// securitytokens) without storing them. The security token is a token in
// the format of Tokens, under a key of its own, naming the user; the AK
// and the SK are MACs of the security token. A request signed with a
// temporary key carries the token in X-Security-Token, so the server
// rebuilds the SK from it, and the user's epoch in the token ends the key
// when the user is disabled or changes password, as it ends bearer tokens.
type TemporaryKeys struct {
	Key []byte // normally DeriveKey(master, PurposeSecurityToken); at least 32 bytes
}

// TemporaryKey is an issued temporary key. SecretKey and SecurityToken are
// secrets: they are shown once, to the caller that asked for them.
type TemporaryKey struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
	ExpiresAt     time.Time
}

// Issue returns a temporary key for c; c.IssuedAt and c.ExpiresAt are
// required.
func (k *TemporaryKeys) Issue(c Claims) (TemporaryKey, error) {
	if c.ExpiresAt.IsZero() {
		return TemporaryKey{}, errors.New("issue temporary key: ExpiresAt is required")
	}
	st, err := k.tokens().Issue(c)
	if err != nil {
		return TemporaryKey{}, fmt.Errorf("issue temporary key: %w", err)
	}
	return TemporaryKey{AccessKey: k.accessKey(st), SecretKey: string(k.secretKey(st)), SecurityToken: st,
		ExpiresAt: time.UnixMilli(c.ExpiresAt.UnixMilli()).UTC()}, nil
}

// Open checks a security token at now and that ak is the access key it was
// issued with, and returns the token's claims and the secret key to verify
// the request's signature with. The errors are those of Tokens.Verify and
// ErrTemporaryKeyMismatch.
func (k *TemporaryKeys) Open(ak, securityToken string, now time.Time) (Claims, []byte, error) {
	c, err := k.tokens().Verify(securityToken, now)
	if err != nil {
		return Claims{}, nil, err
	}
	if !hmac.Equal([]byte(ak), []byte(k.accessKey(securityToken))) {
		return Claims{}, nil, ErrTemporaryKeyMismatch
	}
	return c, k.secretKey(securityToken), nil
}

func (k *TemporaryKeys) tokens() *Tokens { return &Tokens{Key: k.Key} }

// accessKey is 20 upper-case letters and digits, like a permanent AK.
func (k *TemporaryKeys) accessKey(securityToken string) string {
	return base32.StdEncoding.EncodeToString(k.mac("ak", securityToken))[:20]
}

// secretKey is 40 characters, like a permanent SK.
func (k *TemporaryKeys) secretKey(securityToken string) []byte {
	return []byte(base64.RawStdEncoding.EncodeToString(k.mac("sk", securityToken))[:40])
}

func (k *TemporaryKeys) mac(label, securityToken string) []byte {
	h := hmac.New(sha256.New, k.Key)
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(securityToken))
	return h.Sum(nil)
}
