package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/casebook/casebook"
)

// sealVersion1 prefixes values sealed with AES-256-GCM and a 12-byte random
// nonce: version (1) || nonce (12) || ciphertext || tag (16). The version byte
// leaves room to change algorithm or key later without guessing.
const sealVersion1 = 0x01

// ErrUnseal is returned by Sealer.Open for any value that does not open: wrong
// key, wrong associated data (owner), truncated or tampered bytes. The causes
// are deliberately not told apart.
var ErrUnseal = errors.New("auth: sealed value does not open")

// Sealer encrypts secrets at rest with AES-256-GCM. The associated data binds
// a sealed value to its owner: it opens only with the same associated data.
type Sealer struct {
	aead cipher.AEAD
}

var _ casebook.Sealer = (*Sealer)(nil)

// NewSealer returns a Sealer using a 32-byte key, normally
// DeriveKey(master, PurposeSeal).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealer key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new gcm: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to associatedData. Every call uses a fresh
// random nonce, so sealing the same secret twice gives different bytes.
func (s *Sealer) Seal(plaintext, associatedData []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion1
	rand.Read(out[1 : 1+ns]) // never fails (crypto/rand, Go 1.24+)
	return s.aead.Seal(out, out[1:1+ns], plaintext, associatedData), nil
}

// Open decrypts a value produced by Seal with the same associated data. It
// returns ErrUnseal when the value does not authenticate.
func (s *Sealer) Open(sealed, associatedData []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != sealVersion1 {
		return nil, ErrUnseal
	}
	plaintext, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], associatedData)
	if err != nil {
		return nil, ErrUnseal
	}
	if plaintext == nil {
		plaintext = []byte{} // an empty secret is still a value, not "nothing"
	}
	return plaintext, nil
}
