package casebook_test

import (
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func TestCaseHistory(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "kernel panic")
	other := d.newCase(d.alice, "another ticket")
	a := d.request(d.eng1, c.ID)
	d.request(d.eng1, other.ID) // its events must not show on c
	d.grant(d.alice, a, 0, time.Hour)
	if _, err := d.s.ReadCredentials(d.ctx, d.eng1, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.s.CancelAuthorization(d.ctx, d.alice, "", a.ID); err != nil {
		t.Fatal(err)
	}

	events, err := d.s.CaseHistory(d.ctx, d.alice, "", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if e.CaseID != c.ID || e.AuthorizationID != a.ID {
			t.Fatalf("event of another ticket or grant: %+v", e)
		}
		actions = append(actions, e.Action)
	}
	// Newest first: the revocation (grant ended, credentials destroyed),
	// the read, the confirmation.
	if len(actions) < 3 || actions[len(actions)-1] != casebook.AuditGrantConfirmed || !contains(actions, casebook.AuditCredentialRead) || !contains(actions, casebook.AuditGrantEnded) {
		t.Fatalf("actions = %v", actions)
	}
	for i := 1; i < len(events); i++ {
		if events[i-1].ID < events[i].ID {
			t.Fatal("not newest first")
		}
	}
	for _, e := range events {
		if e.Action == casebook.AuditCredentialRead && e.ActorName != "eng1" {
			t.Fatalf("read by %q", e.ActorName)
		}
	}

	// The same visibility as the ticket: the master and a group member see
	// it; a sub-user outside the group, another group and another account
	// get "not found".
	if got, err := d.s.CaseHistory(d.ctx, d.master, "", c.ID); err != nil || len(got) != len(events) {
		t.Fatalf("master: %d events, %v", len(got), err)
	}
	if got, err := d.s.CaseHistory(d.ctx, d.bob, d.ops, c.ID); err != nil || len(got) != len(events) {
		t.Fatalf("group member: %d events, %v", len(got), err)
	}
	for name, tc := range map[string]struct {
		p     *casebook.Principal
		group string
	}{"bob without the group": {d.bob, ""}, "carol in dev": {d.carol, d.dev}, "another account": {d.gina, ""}, "its master": {d.gmaster, ""}} {
		if _, err := d.s.CaseHistory(d.ctx, tc.p, tc.group, c.ID); casebook.ErrorCode(err) != casebook.ENOTFOUND {
			t.Errorf("%s: err = %v, want not found", name, err)
		}
	}
	if _, err := d.s.CaseHistory(d.ctx, d.eng1, "", c.ID); casebook.ErrorCode(err) != casebook.EFORBIDDEN {
		t.Errorf("engineer: err = %v", err)
	}

	// A ticket without grants has an empty history.
	if got, err := d.s.CaseHistory(d.ctx, d.alice, "", d.newCase(d.alice, "quiet").ID); err != nil || len(got) != 0 {
		t.Fatalf("quiet ticket: %v %v", got, err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
