package casebook

import (
	"context"
	"strings"
	"sync"
	"time"
)

// ReasonLoginThrottled refines ELIMIT: too many failed logins for a user
// name or from an address; the HTTP layer answers 429.
const ReasonLoginThrottled = "login_throttled"

// Defaults of LoginLimiter (docs/configuration.md).
const (
	DefaultLoginFailures        = 5
	DefaultLoginAddressFailures = 50
	DefaultLoginMaxDelay        = 15 * time.Minute
	// loginFirstDelay is the delay after the first failure beyond the
	// free ones; each further failure doubles it, up to MaxDelay.
	loginFirstDelay = time.Second
	// maxLoginEntries bounds the limiter's memory: beyond it, entries
	// whose delay is over are dropped first, then arbitrary ones.
	maxLoginEntries = 100_000
)

// LoginLimiter slows down password guessing. Failed logins are counted
// per user name (whether the name exists or not, so the answer reveals
// nothing) and per client address. Past the free failures of either, every
// further failure makes that name or address wait before its next attempt:
// 1 s, then 2 s, 4 s, ... up to MaxDelay. An attempt while waiting is
// refused without looking at the password. A successful login clears the
// count of its user name; a count is forgotten MaxDelay after its last
// failure. Counts are kept in memory, per process: with several replicas
// an attacker gets each replica's allowance.
type LoginLimiter struct {
	Failures        int           // free failures per user name; 0: no limit per name
	AddressFailures int           // free failures per client address; 0: no limit per address
	MaxDelay        time.Duration // longest delay; 0: DefaultLoginMaxDelay
	FirstDelay      time.Duration // the delay after the first failure past the allowance, doubled after each further one; 0: one second

	mu      sync.Mutex
	entries map[string]*loginFailures
}

type loginFailures struct {
	count int       // failures since the count was last cleared
	last  time.Time // the last failure
	until time.Time // no attempt before
}

// NewLoginLimiter returns a limiter with the documented defaults.
func NewLoginLimiter() *LoginLimiter {
	return &LoginLimiter{Failures: DefaultLoginFailures, AddressFailures: DefaultLoginAddressFailures, MaxDelay: DefaultLoginMaxDelay}
}

// loginKeys are the counters one login attempt touches.
type loginKeys struct {
	user, addr string // "" when not counted
}

func (l *LoginLimiter) keys(realm Realm, domain, user, addr string) loginKeys {
	var k loginKeys
	if l.Failures > 0 {
		k.user = "user\x00" + string(realm) + "\x00" + strings.ToLower(domain) + "\x00" + strings.ToLower(user)
	}
	if l.AddressFailures > 0 && addr != "" {
		k.addr = "addr\x00" + addr
	}
	return k
}

func (l *LoginLimiter) maxDelay() time.Duration {
	if l.MaxDelay <= 0 {
		return DefaultLoginMaxDelay
	}
	return l.MaxDelay
}

// wait returns how long the attempt must wait, 0 if it may go ahead.
func (l *LoginLimiter) wait(k loginKeys, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, key := range []string{k.user, k.addr} {
		if e := l.entries[key]; key != "" && e != nil && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	return wait
}

// fail counts a failed attempt.
func (l *LoginLimiter) fail(k loginKeys, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.entries == nil {
		l.entries = make(map[string]*loginFailures)
	}
	for _, c := range []struct {
		key  string
		free int
	}{{k.user, l.Failures}, {k.addr, l.AddressFailures}} {
		if c.key == "" {
			continue
		}
		e := l.entries[c.key]
		if e == nil || now.Sub(e.last) > l.maxDelay() {
			if len(l.entries) >= maxLoginEntries {
				l.prune(now)
			}
			e = &loginFailures{}
			l.entries[c.key] = e
		}
		e.count++
		e.last = now
		if beyond := e.count - c.free; beyond > 0 {
			delay := l.maxDelay()
			if beyond <= 30 { // 2^30 s is past any sensible MaxDelay
				delay = min(l.firstDelay()<<(beyond-1), delay)
			}
			e.until = now.Add(delay)
		}
	}
}

// succeed clears the count of the user name.
func (l *LoginLimiter) succeed(k loginKeys) {
	if k.user == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, k.user)
}

// prune drops forgotten entries, then, if that is not enough, arbitrary
// ones, down to three quarters of the bound. Called with mu held.
func (l *LoginLimiter) prune(now time.Time) {
	for key, e := range l.entries {
		if now.Sub(e.last) > l.maxDelay() || !e.until.After(now) {
			delete(l.entries, key)
		}
	}
	for key := range l.entries {
		if len(l.entries) < maxLoginEntries*3/4 {
			break
		}
		delete(l.entries, key)
	}
}

func errLoginThrottled(wait time.Duration) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	return Errorf(ELIMIT, "Too many failed logins; try again in %d seconds.", secs).WithReason(ReasonLoginThrottled)
}

type clientAddrKey struct{}

// NewContextWithClientAddr returns ctx carrying the address of the client
// a request comes from (an IP address, without the port), which the login
// limiter counts failures by.
func NewContextWithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFromContext returns the client address of ctx, or "".
func ClientAddrFromContext(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}

func (l *LoginLimiter) firstDelay() time.Duration {
	if l.FirstDelay > 0 {
		return l.FirstDelay
	}
	return loginFirstDelay
}
