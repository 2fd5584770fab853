package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServer_LoginThrottled: serve counts failed logins per user name and
// per client address; past the allowance the next attempt is 429
// APIGW.0308 even with the right password, and a wrong user name and a
// wrong password get byte-identical answers, throttled or not.
func TestServer_LoginThrottled(t *testing.T) {
	s, _ := startTestServer(t, 30*time.Second, "", func(c *Config) {
		c.LoginFailures = 2
		c.LoginAddressFailures = 5
		c.LoginMaxDelay = Duration(time.Hour)
		// Longer than any stall of a loaded machine between two requests.
		c.LoginFirstDelay = Duration(10 * time.Minute)
	})
	login := func(user, password string) (int, string) {
		body := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user + `","password":"` + password + `","domain":{"name":"acme"}}}},"scope":{"domain":{"name":"acme"}}}}`
		res, err := http.Post("http://"+s.Addr()+"/v3/auth/tokens", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	wrongPassword := [2]any{}
	wrongUser := [2]any{}
	for i := 0; i < 2; i++ {
		st, b := login("admin", "Wrong-pass-1")
		wrongPassword = [2]any{st, b}
		st, b = login("nobody", "Acme-pass-1")
		wrongUser = [2]any{st, b}
	}
	if wrongPassword != wrongUser || wrongPassword[0] != http.StatusUnauthorized {
		t.Fatalf("wrong password %v, wrong user %v: want the same 401", wrongPassword, wrongUser)
	}
	// The third failure of each name starts a delay.
	login("admin", "Wrong-pass-1")
	login("nobody", "Acme-pass-1")
	st, known := login("admin", "Acme-pass-1")
	if st != http.StatusTooManyRequests || !strings.Contains(known, `"APIGW.0308"`) {
		t.Fatalf("right password while delayed: %d %s, want 429 APIGW.0308", st, known)
	}
	if st, unknown := login("nobody", "Acme-pass-1"); st != http.StatusTooManyRequests || unknown != known {
		t.Fatalf("an unknown name while delayed: %d %s; a known one: %s", st, unknown, known)
	}
	// The address has failed 6 times, one past its allowance: any name
	// from it now waits.
	if st, _ := login("carol", "Acme-pass-1"); st != http.StatusTooManyRequests {
		t.Fatalf("a fresh name from the guessing address: %d, want 429", st)
	}
}
