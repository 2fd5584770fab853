package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAccessKeyCache checks the rules of the cache of unsealed secrets: a
// key disabled or deleted through this server stops working at once; one
// disabled elsewhere (another replica, the CLI: here the Service directly)
// works until the cache TTL has passed, as a disabled user's token does;
// a disabled user's key stops at once through the principal cache's rules.
func TestAccessKeyCache(t *testing.T) {
	f := newGrantFixture(t)
	env := f.env
	env.Server.PrincipalCacheTTL = time.Minute
	hs := httptest.NewServer(env.Server.Handler())
	t.Cleanup(hs.Close)
	env.HTTP = hs

	get := func(ak, sk string) int {
		return send(t, env, signed(t, env, "GET", authorizationsPath, nil, ak, sk, f.acme.ID)).Status
	}

	// Disabled through this server's API: refused at once, and accepted
	// again once enabled.
	ak, sk := createAccessKey(t, f.bob, "")
	if got := get(ak, sk); got != 200 {
		t.Fatalf("signed request: %d", got)
	}
	f.bob.Do("PUT", "/v3.0/OS-CREDENTIAL/credentials/"+ak, map[string]any{"credential": map[string]string{"status": "inactive"}}).Expect(200)
	if got := get(ak, sk); got != 401 {
		t.Errorf("signed request with a key disabled here: %d, want 401", got)
	}
	f.bob.Do("PUT", "/v3.0/OS-CREDENTIAL/credentials/"+ak, map[string]any{"credential": map[string]string{"status": "active"}}).Expect(200)
	if got := get(ak, sk); got != 200 {
		t.Errorf("signed request with the key enabled again: %d, want 200", got)
	}

	// Deleted through this server's API: refused at once.
	f.bob.Do("DELETE", "/v3.0/OS-CREDENTIAL/credentials/"+ak, nil).Expect(204)
	if got := get(ak, sk); got != 401 {
		t.Errorf("signed request with a key deleted here: %d, want 401", got)
	}

	// Disabled elsewhere: cached until the TTL has passed.
	ak, sk = createAccessKey(t, f.bob, "")
	if got := get(ak, sk); got != 200 {
		t.Fatalf("signed request: %d", got)
	}
	if err := env.Svc.SetAccessKeyEnabled(context.Background(), f.bob.ID, ak, false); err != nil {
		t.Fatal(err)
	}
	if got := get(ak, sk); got != 200 {
		t.Errorf("signed request within the TTL of a key disabled elsewhere: %d, want 200 (cached)", got)
	}
	env.Clock.Advance(time.Minute)
	if got := get(ak, sk); got != 401 {
		t.Errorf("signed request after the TTL of a key disabled elsewhere: %d, want 401", got)
	}
}

// TestTokenCache checks that a cached token still expires on time, and
// that only the verified bytes hit the cache.
func TestTokenCache(t *testing.T) {
	env := newTestEnv(t)
	env.Server.PrincipalCacheTTL = 48 * time.Hour // longer than the token's life
	hs := httptest.NewServer(env.Server.Handler())
	t.Cleanup(hs.Close)
	env.HTTP = hs
	u := env.Account("acme").Master

	u.Do("GET", authorizationsPath, nil).Expect(200)
	u.Do("GET", authorizationsPath, nil).Expect(200) // from the cache
	tampered := u.Token[:len(u.Token)-2] + "AA"
	if tampered == u.Token {
		tampered = u.Token[:len(u.Token)-2] + "BB"
	}
	if res := env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tampered); res.Status != 401 {
		t.Errorf("a tampered copy of a cached token: %d, want 401", res.Status)
	}
	env.Clock.Advance(24*time.Hour + time.Millisecond) // the tokens' TTL in newTestEnv
	res := u.Do("GET", authorizationsPath, nil)
	if res.Status != 401 || !strings.Contains(string(res.Body), "expired") {
		t.Errorf("an expired token in the cache: %d %s, want 401 expired", res.Status, res.Body)
	}
}
