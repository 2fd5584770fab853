package casebooktest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/casebooktest"
)

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func post(t *testing.T, url, body string) int {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestStart(t *testing.T) {
	cb := casebooktest.Start(t, casebooktest.Options{})
	if !strings.HasPrefix(cb.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q, want a loopback address", cb.URL)
	}
	for _, name := range []string{"admin", "alice", "bob"} {
		u := cb.User(name)
		if u == nil || u.AccessKey == "" || u.SecretKey == "" || u.Token == "" || u.Password == "" {
			t.Fatalf("user %s: %+v", name, u)
		}
		if code := get(t, cb.URL+"/v2/servicerequest/cases", u.Token); code != 200 {
			t.Errorf("%s's token: ListCases status %d, want 200", name, code)
		}
	}
	if code := get(t, cb.URL+"/support/v1/cases", cb.Engineer.Token); code != 200 {
		t.Errorf("engineer's token: status %d, want 200", code)
	}
	if cb.Group.ID == "" || cb.Account.ID == "" {
		t.Errorf("no group or account id: %+v %+v", cb.Group, cb.Account)
	}

	t.Run("ControlsOff", func(t *testing.T) {
		if err := cb.Advance(time.Hour); !errors.Is(err, casebooktest.ErrNoTestControls) {
			t.Errorf("Advance: %v, want ErrNoTestControls", err)
		}
		if code := post(t, cb.URL+"/testing/v1/reset", ""); code != 404 {
			t.Errorf("POST /testing/v1/reset: status %d, want 404", code)
		}
		if code := get(t, cb.URL+"/v2/servicerequest/cases", cb.User("alice").Token); code != 200 {
			t.Errorf("data gone after a refused reset: status %d", code)
		}
	})
}

// grant creates a ticket of alice's, an engineer's request with a host
// credential and alice's grant for the next hour.
func grant(t *testing.T, cb *casebooktest.Server) string {
	t.Helper()
	ctx := context.Background()
	svc := cb.Service
	alice, _, err := svc.ResolvePrincipal(ctx, casebook.RealmCustomer, cb.User("alice").ID)
	if err != nil {
		t.Fatal(err)
	}
	eng, _, err := svc.ResolvePrincipal(ctx, casebook.RealmEngineer, cb.Engineer.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateCase(ctx, alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "help"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.RequestAuthorization(ctx, eng, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", Describe: "ssh",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web-01", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := svc.Now()
	end := start.Add(time.Hour)
	err = svc.ConfirmAuthorization(ctx, alice, "", a.ID, casebook.ConfirmInput{
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "host-secret"}},
		EffectiveAt: &start, ExpireAt: &end,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestControls(t *testing.T) {
	cb := casebooktest.Start(t, casebooktest.Options{TestControls: true, Users: []string{"alice"}, Logs: testWriter{t}})
	ctx := context.Background()
	id := grant(t, cb)
	engineer, _, err := cb.Service.ResolvePrincipal(ctx, casebook.RealmEngineer, cb.Engineer.ID)
	if err != nil {
		t.Fatal(err)
	}
	// stored returns the grant's status and 1 while its credentials exist,
	// 0 once the audit log records their destruction.
	stored := func() (*casebook.Authorization, int) {
		a, err := cb.Service.EngineerAuthorization(ctx, engineer, id)
		if err != nil {
			t.Fatal(err)
		}
		events, err := cb.Service.FindAudit(ctx, casebook.AuditFilter{AuthorizationID: id})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Action == casebook.AuditCredentialDestroyed {
				return a, 0
			}
		}
		return a, 1
	}
	if a, n := stored(); a.Status != casebook.AuthStatusAuthorized || n != 1 {
		t.Fatalf("before: status %d with %d credentials", a.Status, n)
	}

	t.Run("AdvanceRefusesGoingBack", func(t *testing.T) {
		if code := post(t, cb.URL+"/testing/v1/clock", `{"advance":"-1h"}`); code != 400 {
			t.Errorf("advance -1h: status %d, want 400", code)
		}
		if code := post(t, cb.URL+"/testing/v1/clock", `{"advance":"1h","extra":1}`); code != 400 {
			t.Errorf("unknown field: status %d, want 400", code)
		}
	})

	// 59 minutes: still in force.
	if code := post(t, cb.URL+"/testing/v1/clock", `{"advance":"59m"}`); code != 200 {
		t.Fatalf("advance: status %d", code)
	}
	if a, n := stored(); a.Status != casebook.AuthStatusAuthorized || n != 1 {
		t.Fatalf("59 minutes in: status %d with %d credentials, want still authorized", a.Status, n)
	}
	// Past the window: the sweeper ran before the answer.
	if err := cb.Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if a, n := stored(); a.Status != casebook.AuthStatusExpired || n != 0 {
		t.Fatalf("after the window: status %d with %d credentials, want expired with none", a.Status, n)
	}

	// Reset: everything gone, the tokens' users too.
	if code := post(t, cb.URL+"/testing/v1/reset", ""); code != 204 {
		t.Fatalf("reset: status %d, want 204", code)
	}
	if code := get(t, cb.URL+"/v2/servicerequest/cases", cb.User("alice").Token); code != 401 {
		t.Errorf("a deleted user's token: status %d, want 401", code)
	}
	if accounts, err := cb.Service.ListAccounts(ctx); err != nil || len(accounts) != 0 {
		t.Errorf("%d accounts after reset (%v)", len(accounts), err)
	}
	// The audit log's append-only triggers are back.
	if n := casebooktest.AuditTriggers(t, cb); n != 2 {
		t.Errorf("audit_events triggers after reset: %d, want 2", n)
	}
	// The store works after a reset.
	if _, _, err := cb.Service.CreateAccount(ctx, "acme", "admin", "Another-pass-123!"); err != nil {
		t.Errorf("create account after reset: %v", err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
