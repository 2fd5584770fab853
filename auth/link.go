package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"time"
)

// Download-link errors.
var (
	ErrLinkExpired   = errors.New("auth: download link has expired")
	ErrLinkSignature = errors.New("auth: download link signature is invalid")
)

// DefaultLinkTTL is the lifetime of a download link when Links.TTL is zero.
const DefaultLinkTTL = 5 * time.Minute

// linkDomain separates link MACs from any other MAC made with the same key.
const linkDomain = "casebook download link v1"

// Links signs and verifies download links for attachments. A link carries the
// attachment id, the owning account id, an expiry (unix seconds) and a MAC
// over all three, so it can be neither pointed at another file or account nor
// extended.
type Links struct {
	Key []byte        // normally DeriveKey(master, PurposeDownloadLink); at least 32 bytes
	TTL time.Duration // DefaultLinkTTL when zero
}

// Sign returns the expiry (unix seconds) and signature of a link to one
// attachment, valid from now for TTL. It panics when the key is too short:
// signing with a weak key would silently make links forgeable.
func (l *Links) Sign(accessoryID, accountID string, now time.Time) (expires int64, sig string) {
	if len(l.Key) < KeySize {
		panic(fmt.Sprintf("auth: download link key is %d bytes, want at least %d", len(l.Key), KeySize))
	}
	ttl := l.TTL
	if ttl == 0 {
		ttl = DefaultLinkTTL
	}
	expires = now.Add(ttl).Unix()
	return expires, base64.RawURLEncoding.EncodeToString(l.mac(accessoryID, accountID, expires))
}

// Verify checks a link at now: ErrLinkSignature if any part was altered (or
// the signature is not even well-formed), ErrLinkExpired once now reaches the
// expiry.
func (l *Links) Verify(accessoryID, accountID string, expires int64, sig string, now time.Time) error {
	if len(l.Key) < KeySize {
		return fmt.Errorf("download link key is %d bytes, want at least %d", len(l.Key), KeySize)
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, l.mac(accessoryID, accountID, expires)) {
		return ErrLinkSignature
	}
	if now.Unix() >= expires {
		return ErrLinkExpired
	}
	return nil
}

// mac covers every field length-prefixed, so no two different field tuples
// encode to the same bytes ("ab","c" vs "a","bc").
func (l *Links) mac(accessoryID, accountID string, expires int64) []byte {
	h := hmac.New(sha256.New, l.Key)
	writeField(h, linkDomain)
	writeField(h, accessoryID)
	writeField(h, accountID)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(expires))
	h.Write(b[:])
	return h.Sum(nil)
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}
