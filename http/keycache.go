package http

import (
	"context"
	"sync"
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
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]accessKeyEntry
	sweepAt time.Time
}

type accessKeyEntry struct {
	accountID, userID string
	secret            []byte // shared: never modified
	expires           time.Time
}

func newAccessKeyCache(ttl time.Duration) *accessKeyCache {
	return &accessKeyCache{ttl: ttl, entries: make(map[string]accessKeyEntry)}
}

// get returns the owner and secret of the enabled key ak. A shared secret
// belongs to the cache and must not be modified; another is the caller's.
func (c *accessKeyCache) get(ctx context.Context, s *Server, ak string) (accountID, userID string, secret []byte, shared bool, err error) {
	now := s.Now()
	if c.ttl >= minPrincipalCacheTTL {
		c.mu.Lock()
		e, ok := c.entries[ak]
		c.mu.Unlock()
		if ok && now.Before(e.expires) {
			return e.accountID, e.userID, e.secret, true, nil
		}
	}
	key, sk, err := s.Service.AccessKeySecret(ctx, ak)
	if err != nil {
		c.forget(ak)
		return "", "", nil, false, err
	}
	if c.ttl < minPrincipalCacheTTL {
		return key.AccountID, key.UserID, sk, false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= principalCacheMax && !now.Before(c.sweepAt) {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		c.sweepAt = now.Add(c.ttl)
	}
	if len(c.entries) >= principalCacheMax {
		return key.AccountID, key.UserID, sk, false, nil
	}
	c.entries[ak] = accessKeyEntry{accountID: key.AccountID, userID: key.UserID, secret: sk, expires: now.Add(c.ttl)}
	return key.AccountID, key.UserID, sk, true, nil
}

// forget drops the key ak, after it was disabled or deleted here.
func (c *accessKeyCache) forget(ak string) {
	c.mu.Lock()
	delete(c.entries, ak)
	c.mu.Unlock()
}

// tokenCache keeps the claims of tokens whose MAC was verified, keyed by
// the whole token, for PrincipalCacheTTL: a client sends the same token
// on every request, and checking its MAC and decoding its claims was a
// twentieth of the CPU of a detail request. A hit is the very bytes that
// were verified; expiry is checked on every request all the same, and the
// user behind the token is resolved through the principal cache as before.
type tokenCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]tokenEntry
	sweepAt time.Time
}

type tokenEntry struct {
	claims  auth.Claims
	expires time.Time // of the cache entry
}

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{ttl: ttl, entries: make(map[string]tokenEntry)}
}

// verify returns the claims of tok, checking its MAC unless it was
// checked less than ttl ago. Expiry is checked against now every time.
func (c *tokenCache) verify(tokens *auth.Tokens, tok string, now time.Time) (auth.Claims, error) {
	if c.ttl >= minPrincipalCacheTTL {
		c.mu.Lock()
		e, ok := c.entries[tok]
		c.mu.Unlock()
		if ok && now.Before(e.expires) {
			if !now.Before(e.claims.ExpiresAt) {
				return e.claims, auth.ErrTokenExpired
			}
			return e.claims, nil
		}
	}
	claims, err := tokens.Verify(tok, now)
	if err != nil || c.ttl < minPrincipalCacheTTL {
		return claims, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= principalCacheMax && !now.Before(c.sweepAt) {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		c.sweepAt = now.Add(c.ttl)
	}
	if len(c.entries) < principalCacheMax {
		c.entries[tok] = tokenEntry{claims: claims, expires: now.Add(c.ttl)}
	}
	return claims, nil
}
