package browsertest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSessionIsNotAnAPIToken: the console's session cookie, signed with a
// key of its own, is refused as an X-Auth-Token by the API on the same
// server. It needs no browser.
func TestSessionIsNotAnAPIToken(t *testing.T) {
	s := newServer(t)
	if _, _, err := s.Svc.CreateAccount(context.Background(), "acme", "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(s.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))[1]
	res, err = c.PostForm(s.URL+"/login", url.Values{"csrf": {token}, "account": {"acme"}, "user": {"alice"}, "password": {alicePassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(s.URL)
	var session string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "casebook_session" {
			session = ck.Value
		}
	}
	if session == "" || res.StatusCode != http.StatusOK || res.Request.URL.Path != "/tickets" {
		t.Fatalf("console login: %d %s, session %t", res.StatusCode, res.Request.URL.Path, session != "")
	}

	req, _ := http.NewRequest("GET", s.URL+"/v2/servicerequest/cases", nil)
	req.Header.Set("X-Auth-Token", session)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "error_code") {
		t.Fatalf("the session cookie as an API token: %d %s", res.StatusCode, body)
	}
}
