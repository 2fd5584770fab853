package main_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// printedCurl is a `curl -X POST URL ... -d 'BODY'` command found in the
// demo's output.
type printedCurl struct {
	URL  string
	Body string
}

// findCurl returns the printed POST to a URL ending in path.
func findCurl(t *testing.T, out, path string) printedCurl {
	t.Helper()
	re := regexp.MustCompile(`curl -si -X POST (\S+` + regexp.QuoteMeta(path) + `) -H 'Content-Type: application/json' -d '([^']*)'`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no curl command for %s in the demo output:\n%s", path, out)
	}
	return printedCurl{URL: m[1], Body: m[2]}
}

// token runs the printed login and returns the X-Subject-Token.
func (c printedCurl) token(t *testing.T) string {
	t.Helper()
	res, body := do(t, "POST", c.URL, c.Body, nil)
	if res.StatusCode != http.StatusCreated || res.Header.Get("X-Subject-Token") == "" {
		t.Fatalf("printed login %s: status %d: %s", c.URL, res.StatusCode, body)
	}
	return res.Header.Get("X-Subject-Token")
}

// TestDemo loads the demo into a running server's store and follows the
// printed instructions.
func TestDemo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	e := env{}
	srv := startServer(t, e, nil, "--data", data)

	out := mustRun(t, e, "demo", "--data", data, "--addr", srv.Addr)
	for _, want := range []string{"casebook serve --data " + data + " --addr " + srv.Addr, "alice", "bob", "admin", "eve", "not shown again"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	groupID := regexp.MustCompile(`group id ([0-9a-f]{32})`).FindStringSubmatch(out)
	if groupID == nil {
		t.Fatalf("no group id in the demo output:\n%s", out)
	}

	aliceLogin := findCurl(t, out, "/v3/auth/tokens")
	if !strings.HasPrefix(aliceLogin.URL, srv.URL) {
		t.Errorf("printed URL %s is not the server's %s", aliceLogin.URL, srv.URL)
	}
	token := aliceLogin.token(t)

	// alice's own ticket carries the granted authorization; through group
	// "ops" she also sees bob's, with the pending one.
	own := listAuthorizations(t, srv.URL, token, "")
	if own["count"] != float64(1) {
		t.Fatalf("alice's authorizations: %v", own)
	}
	granted := own["incident_auth_list"].([]any)[0].(map[string]any)
	if granted["status"] != float64(1) {
		t.Errorf("alice's authorization has status %v, want 1 (authorized)", granted["status"])
	}
	group := listAuthorizations(t, srv.URL, token, "?group_id="+groupID[1])
	if group["count"] != float64(2) {
		t.Fatalf("group authorizations: %v", group)
	}
	statuses := map[float64]int{}
	for _, a := range group["incident_auth_list"].([]any) {
		statuses[a.(map[string]any)["status"].(float64)]++
	}
	if statuses[0] != 1 || statuses[1] != 1 {
		t.Errorf("group authorization statuses %v, want one pending and one authorized", statuses)
	}
	res, body := do(t, "GET", srv.URL+"/v2/servicerequest/cases?group_id="+groupID[1], "", http.Header{"X-Auth-Token": {token}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "502 Bad Gateway") || !strings.Contains(body, "ECS instance quota") {
		t.Errorf("group tickets: status %d: %s", res.StatusCode, body)
	}

	engineerToken := findCurl(t, out, "/support/v1/auth/tokens").token(t)
	if engineerToken == token {
		t.Error("the engineer got alice's token")
	}
	// The printed queue command works with it and shows the three tickets.
	if !strings.Contains(out, "curl -s "+srv.URL+"/support/v1/cases -H \"X-Auth-Token: $ENGINEER_TOKEN\"") {
		t.Errorf("no queue command in the demo output:\n%s", out)
	}
	res, body = do(t, "GET", srv.URL+"/support/v1/cases", "", http.Header{"X-Auth-Token": {engineerToken}})
	var queue struct {
		TotalCount int `json:"total_count"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &queue) != nil || queue.TotalCount != 3 {
		t.Errorf("engineer queue: status %d: %.300s", res.StatusCode, body)
	}

	// The grant was confirmed, and the audit log says so.
	var events []struct {
		Action          string `json:"action"`
		AuthorizationID string `json:"authorization_id"`
		ActorName       string `json:"actor_name"`
	}
	mustRunJSON(t, e, &events, "audit", "list", "--data", data, "--authorization", granted["id"].(string))
	if len(events) != 1 || events[0].Action != "authorization.confirmed" || events[0].ActorName != "alice" {
		t.Errorf("audit of the granted authorization: %+v", events)
	}

	// A second run changes nothing and says why.
	_, err := run(t, e, "demo", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Fatalf("second demo run: %v", err)
	}
	if again := listAuthorizations(t, srv.URL, token, "?group_id="+groupID[1]); again["count"] != float64(2) {
		t.Errorf("after the refused second run: %v", again)
	}
}

// TestDemo_JSONAndGivenPasswords checks --json and the password flags.
func TestDemo_JSONAndGivenPasswords(t *testing.T) {
	data := t.TempDir()
	var out struct {
		BaseURL  string `json:"base_url"`
		Users    []struct{ Name, Password string }
		Engineer struct{ Name, Password string }
		CaseIDs  []string `json:"case_ids"`
		Pending  string   `json:"pending_authorization_id"`
		Granted  string   `json:"granted_authorization_id"`
		Accessor string   `json:"accessory_id"`
		Token    string   `json:"token_command"`
	}
	mustRunJSON(t, env{}, &out, "demo", "--data", data, "--alice-password", "alice-demo-pw", "--base-url", "https://casebook.example.com/")
	if out.BaseURL != "https://casebook.example.com" || len(out.CaseIDs) != 3 || out.Pending == "" || out.Granted == "" || out.Accessor == "" {
		t.Errorf("demo --json: %+v", out)
	}
	passwords := map[string]string{}
	for _, u := range out.Users {
		passwords[u.Name] = u.Password
	}
	if passwords["alice"] != "alice-demo-pw" || len(passwords["bob"]) < 20 || passwords["bob"] == passwords["admin"] || len(out.Engineer.Password) < 20 {
		t.Errorf("passwords: %v, engineer %q", passwords, out.Engineer.Password)
	}
	if !strings.Contains(out.Token, "https://casebook.example.com/v3/auth/tokens") || !strings.Contains(out.Token, "alice-demo-pw") {
		t.Errorf("token command: %s", out.Token)
	}

	srv := startServer(t, env{}, nil, "--data", data)
	customerToken(t, srv.URL, "demo", "alice", "alice-demo-pw")
	customerToken(t, srv.URL, "demo", "bob", passwords["bob"])
}
