package http

import (
	"context"
	"time"

	"github.com/casebook/casebook/auth"
)

// accessKeyCache keeps the unsealed secrets of permanent access keys for a
// short time, so that a signed request costs no database read and no
// unsealing on most requests. It follows the principal cache's rules: an
// entry lives PrincipalCacheTTL (nothing is cached below a millisecond),
// so a key disabled or deleted on another replica stops working within
// that time; on this server, disabling or deleting a key forgets it at
// once. The user behind the key is still checked on every request, through
// the principal cache. Unknown and disabled keys are not cached.
type accessKeyCache struct {
	cache *ttlCache[string, accessKeyEntry]
}

type accessKeyEntry struct {
	accountID, userID string
	secret            []byte // shared: never modified
}

func newAccessKeyCache(ttl time.Duration) *accessKeyCache {
	return &accessKeyCache{cache: newTTLCache[string, accessKeyEntry](ttl)}
}

// get returns the owner and secret of the enabled key ak. A shared secret
// belongs to the cache and must not be modified; another is the caller's.
func (c *accessKeyCache) get(ctx context.Context, s *Server, ak string) (accountID, userID string, secret []byte, shared bool, err error) {
	now := s.Now()
	if c.cache.enabled() {
		if e, ok := c.cache.lookup(ak, now); ok {
			return e.accountID, e.userID, e.secret, true, nil
		}
	}
	key, sk, err := s.Service.AccessKeySecret(ctx, ak)
	if err != nil {
		c.forget(ak)
		return "", "", nil, false, err
	}
	shared = c.cache.store(ak, accessKeyEntry{accountID: key.AccountID, userID: key.UserID, secret: sk}, now)
	return key.AccountID, key.UserID, sk, shared, nil
}

// forget drops the key ak, after it was disabled or deleted here.
func (c *accessKeyCache) forget(ak string) { c.cache.forget(ak) }

// tokenCache keeps the claims of tokens whose MAC was verified, keyed by
// the whole token, for PrincipalCacheTTL: a client sends the same token
// on every request, and checking its MAC and decoding its claims was a
// twentieth of the CPU of a detail request. A hit is the very bytes that
// were verified; expiry is checked on every request all the same, and the
// user behind the token is resolved through the principal cache as before.
type tokenCache struct {
	cache *ttlCache[string, auth.Claims]
}

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{cache: newTTLCache[string, auth.Claims](ttl)}
}

// verify returns the claims of tok, checking its MAC unless it was
// checked less than ttl ago. Expiry is checked against now every time.
func (c *tokenCache) verify(tokens *auth.Tokens, tok string, now time.Time) (auth.Claims, error) {
	if c.cache.enabled() {
		if claims, ok := c.cache.lookup(tok, now); ok {
			if !now.Before(claims.ExpiresAt) {
				return claims, auth.ErrTokenExpired
			}
			return claims, nil
		}
	}
	claims, err := tokens.Verify(tok, now)
	if err != nil {
		return claims, err
	}
	c.cache.store(tok, claims, now)
	return claims, nil
}
