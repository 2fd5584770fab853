package http

import (
	"sync"
	"time"
)

// ttlCache is the shape the principal, access key and token caches share:
// entries that live ttl, at most principalCacheMax of them (past it,
// expired entries are swept, at most once per ttl, and new ones are not
// kept until there is room). A ttl under minPrincipalCacheTTL disables it.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[K]ttlEntry[V]
	sweepAt time.Time
}

type ttlEntry[V any] struct {
	value   V
	expires time.Time
}

// principalCacheMax bounds each cache.
const principalCacheMax = 10000

// minPrincipalCacheTTL: a shorter TTL disables the caches (stored times
// have millisecond precision; tests use a frozen clock and a tiny TTL).
const minPrincipalCacheTTL = time.Millisecond

func newTTLCache[K comparable, V any](ttl time.Duration) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, entries: make(map[K]ttlEntry[V])}
}

// enabled reports whether the cache keeps anything.
func (c *ttlCache[K, V]) enabled() bool { return c.ttl >= minPrincipalCacheTTL }

// lookup returns the value of key unless it is absent or expired at now.
func (c *ttlCache[K, V]) lookup(key K, now time.Time) (V, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// store keeps value for key from now and reports whether it was kept.
func (c *ttlCache[K, V]) store(key K, value V, now time.Time) bool {
	if !c.enabled() {
		return false
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
		return false
	}
	c.entries[key] = ttlEntry[V]{value: value, expires: now.Add(c.ttl)}
	return true
}

// forget drops key.
func (c *ttlCache[K, V]) forget(key K) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}
