package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook/auth"
)

// signedStatus sends GET ListAuthorizations signed with an AK/SK, as the
// Huawei SDK would, and returns the status.
func signedStatus(t testing.TB, baseURL, ak, sk string) int {
	t.Helper()
	req, err := http.NewRequest("GET", baseURL+"/v2/servicerequest/authorizations", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.SignRequest(req, nil, ak, sk, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// loginStatus tries a customer login and returns the status.
func loginStatus(t testing.TB, baseURL, domain, user, password string) int {
	t.Helper()
	res, _ := do(t, "POST", baseURL+"/v3/auth/tokens", keystoneBody(domain, user, password), nil)
	return res.StatusCode
}

// TestAdminCommands administers a running server's store with the CLI and
// checks each change through the API.
func TestAdminCommands(t *testing.T) {
	data := t.TempDir()
	e := env{"CASEBOOK_DATA": data}
	// No principal cache: the commands write to the store as another
	// replica would, and the checks below expect their effect at once
	// (with a cache, disabled keys and users stop within its TTL).
	srv := startServer(t, e, nil, "--principal-cache", "0s")

	// Passwords from stdin and from the environment.
	m, stdout, _ := newMain(e, "master-pw\n")
	if err := m.Run(context.Background(), []string{"account", "create", "--name", "acme", "--password-stdin", "--json"}); err != nil {
		t.Fatal(err)
	}
	var acc accountCreated
	if err := json.Unmarshal([]byte(stdout.String()), &acc); err != nil || acc.MasterUserName != "admin" {
		t.Fatalf("account create: %v %q", err, stdout)
	}
	if got := loginStatus(t, srv.URL, "acme", "admin", "master-pw"); got != http.StatusCreated {
		t.Fatalf("master login with the stdin password: %d", got)
	}
	withPassword := env{"CASEBOOK_DATA": data, "CASEBOOK_PASSWORD": "alice-pw"}
	var alice struct {
		UserID   string `json:"user_id"`
		UserName string `json:"user_name"`
	}
	mustRunJSON(t, withPassword, &alice, "user", "create", "--account", "acme", "--name", "alice")
	if !isHexID(alice.UserID) || alice.UserName != "alice" {
		t.Fatalf("user create: %+v", alice)
	}
	mustRun(t, e, "user", "create", "--account", "acme", "--name", "bob", "--password", "bob-pw-123")

	if _, err := run(t, e, "user", "create", "--account", "acme", "--name", "carol"); err == nil || !strings.Contains(err.Error(), "CASEBOOK_PASSWORD") {
		t.Errorf("user create without a password: %v", err)
	}
	if _, err := run(t, e, "user", "create", "--account", "nope", "--name", "carol", "--password", "carol-pw-1"); err == nil {
		t.Error("user create in a missing account: no error")
	}
	if _, err := run(t, e, "account", "create", "--name", "acme", "--password", "Acme-pass-2"); err == nil {
		t.Error("second account with the same name: no error")
	}

	t.Run("Groups", func(t *testing.T) {
		var g struct {
			GroupID   string `json:"group_id"`
			GroupName string `json:"group_name"`
		}
		mustRunJSON(t, e, &g, "group", "create", "--account", "acme", "--name", "ops")
		if !isHexID(g.GroupID) || g.GroupName != "ops" {
			t.Fatalf("group create: %+v", g)
		}
		mustRun(t, e, "group", "add-member", "--account", "acme", "--group", "ops", "--user", "alice")
		mustRun(t, e, "group", "add-member", "--account", "acme", "--group", g.GroupID, "--user", "bob")

		// alice has made no request yet, so the server resolves her with
		// the new membership.
		token := customerToken(t, srv.URL, "acme", "alice", "alice-pw")
		listAuthorizations(t, srv.URL, token, "?group_id="+g.GroupID)

		mustRun(t, e, "group", "remove-member", "--account", "acme", "--group", "ops", "--user", "bob")
		bobToken := customerToken(t, srv.URL, "acme", "bob", "bob-pw-123")
		res, body := do(t, "GET", srv.URL+"/v2/servicerequest/authorizations?group_id="+g.GroupID, "", http.Header{"X-Auth-Token": {bobToken}})
		if res.StatusCode == http.StatusOK {
			t.Errorf("bob, removed from the group, can still list it: %s", body)
		}
	})

	t.Run("UserLifecycle", func(t *testing.T) {
		mustRun(t, e, "user", "disable", "--account", "acme", "--name", "bob")
		if got := loginStatus(t, srv.URL, "acme", "bob", "bob-pw-123"); got != http.StatusUnauthorized {
			t.Errorf("disabled user login: %d, want 401", got)
		}
		mustRun(t, e, "user", "enable", "--account", "acme", "--name", "bob")
		if got := loginStatus(t, srv.URL, "acme", "bob", "bob-pw-123"); got != http.StatusCreated {
			t.Errorf("re-enabled user login: %d, want 201", got)
		}
		m, _, _ := newMain(e, "bob-new-pw\n")
		if err := m.Run(context.Background(), []string{"user", "passwd", "--account", "acme", "--name", "bob", "--password-stdin"}); err != nil {
			t.Fatal(err)
		}
		if got := loginStatus(t, srv.URL, "acme", "bob", "bob-pw-123"); got != http.StatusUnauthorized {
			t.Errorf("old password: %d, want 401", got)
		}
		if got := loginStatus(t, srv.URL, "acme", "bob", "bob-new-pw"); got != http.StatusCreated {
			t.Errorf("new password: %d, want 201", got)
		}
		mustRun(t, e, "user", "delete", "--account", "acme", "--name", "bob")
		if got := loginStatus(t, srv.URL, "acme", "bob", "bob-new-pw"); got != http.StatusUnauthorized {
			t.Errorf("deleted user login: %d, want 401", got)
		}
	})

	t.Run("AccessKeys", func(t *testing.T) {
		type key struct {
			AccessKey string `json:"access_key"`
			SecretKey string `json:"secret_key"`
			AccountID string `json:"account_id"`
			Enabled   bool   `json:"enabled"`
		}
		var k key
		mustRunJSON(t, e, &k, "accesskey", "create", "--account", "acme", "--user", "alice")
		if len(k.AccessKey) != 20 || len(k.SecretKey) < 32 || k.AccountID != acc.AccountID || !k.Enabled {
			t.Fatalf("accesskey create: %+v", k)
		}
		if got := signedStatus(t, srv.URL, k.AccessKey, k.SecretKey); got != http.StatusOK {
			t.Fatalf("signed request: %d, want 200", got)
		}
		if got := signedStatus(t, srv.URL, k.AccessKey, "wrong"+k.SecretKey[5:]); got != http.StatusUnauthorized {
			t.Errorf("request signed with a wrong SK: %d, want 401", got)
		}

		out := mustRun(t, e, "accesskey", "list", "--account", "acme", "--user", "alice", "--json")
		if !strings.Contains(out, k.AccessKey) || strings.Contains(out, k.SecretKey) {
			t.Errorf("accesskey list must show the AK and never the SK:\n%s", out)
		}
		var listed []key
		if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 1 {
			t.Fatalf("accesskey list --json: %v %s", err, out)
		}

		mustRun(t, e, "accesskey", "disable", "--access-key", k.AccessKey)
		mustRunJSON(t, e, &listed, "accesskey", "list", "--account", "acme", "--user", "alice")
		if len(listed) != 1 || listed[0].Enabled {
			t.Errorf("after disable: %+v", listed)
		}
		if got := signedStatus(t, srv.URL, k.AccessKey, k.SecretKey); got != http.StatusUnauthorized {
			t.Errorf("disabled key: %d, want 401", got)
		}
		if _, err := run(t, e, "accesskey", "enable", "--access-key", k.AccessKey, "--account", "acme", "--user", "admin"); err == nil {
			t.Error("accesskey enable with the wrong owner: no error")
		}
		mustRun(t, e, "accesskey", "enable", "--access-key", k.AccessKey, "--account", "acme", "--user", "alice")
		if got := signedStatus(t, srv.URL, k.AccessKey, k.SecretKey); got != http.StatusOK {
			t.Errorf("re-enabled key: %d, want 200", got)
		}
		mustRun(t, e, "accesskey", "delete", "--access-key", k.AccessKey)
		if got := signedStatus(t, srv.URL, k.AccessKey, k.SecretKey); got != http.StatusUnauthorized {
			t.Errorf("deleted key: %d, want 401", got)
		}
		if _, err := run(t, e, "accesskey", "delete", "--access-key", k.AccessKey); err == nil {
			t.Error("deleting a deleted key: no error")
		}
		if strings.Contains(srv.Stderr.String(), k.SecretKey) {
			t.Error("the secret key appears in the server log")
		}
	})

	t.Run("Engineers", func(t *testing.T) {
		var eng struct {
			EngineerID   string `json:"engineer_id"`
			EngineerName string `json:"engineer_name"`
			Enabled      bool   `json:"enabled"`
		}
		mustRunJSON(t, e, &eng, "engineer", "create", "--name", "eve", "--password", "eve-pw-123")
		if !isHexID(eng.EngineerID) || eng.EngineerName != "eve" || !eng.Enabled {
			t.Fatalf("engineer create: %+v", eng)
		}
		if got := engineerLoginStatus(t, srv.URL, "eve", "eve-pw-123"); got != http.StatusCreated {
			t.Errorf("engineer login: %d, want 201", got)
		}
		mustRunJSON(t, e, &eng, "engineer", "disable", "--name", "eve")
		if eng.Enabled {
			t.Errorf("engineer disable --json: %+v", eng)
		}
		if got := engineerLoginStatus(t, srv.URL, "eve", "eve-pw-123"); got != http.StatusUnauthorized {
			t.Errorf("disabled engineer login: %d, want 401", got)
		}
		mustRun(t, e, "engineer", "enable", "--name", "eve")
		if got := engineerLoginStatus(t, srv.URL, "eve", "eve-pw-123"); got != http.StatusCreated {
			t.Errorf("re-enabled engineer login: %d, want 201", got)
		}
	})

	t.Run("AuditEmpty", func(t *testing.T) {
		var events []map[string]any
		mustRunJSON(t, e, &events, "audit", "list")
		if events == nil || len(events) != 0 {
			t.Errorf("audit list on a store without grants: %v", events)
		}
	})
}

// engineerBody is the password body of POST /support/v1/auth/tokens.
func engineerBody(name, password string) string {
	b, _ := json.Marshal(map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods":  []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": name, "password": password}},
	}}})
	return string(b)
}

// engineerLoginStatus tries an engineer login and returns the status.
func engineerLoginStatus(t testing.TB, baseURL, name, password string) int {
	t.Helper()
	res, _ := do(t, "POST", baseURL+"/support/v1/auth/tokens", engineerBody(name, password), nil)
	return res.StatusCode
}
