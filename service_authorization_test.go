package casebook_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

const testPassword = "S3cret-Pa55word-XYZZY-8731"

func testAuthRequest() casebook.AuthorizationRequest {
	return casebook.AuthorizationRequest{
		ResourceTypeID: "1",
		VisitTypeID:    "1",
		ContentTypeID:  "1",
		Describe:       "Root access to the web host to read the kernel log.",
		Details: []casebook.AuthDetail{
			{Type: casebook.AuthDetailHost, InstanceID: "i-web-1", InstanceName: "web", RegionID: "cn-south-1", Port: 22, Account: "root"},
			{Type: casebook.AuthDetailConsole},
		},
	}
}

// request asks for access on caseID as eng.
func (d *deskFixture) request(eng *casebook.Principal, caseID string) *casebook.Authorization {
	d.t.Helper()
	a, err := d.s.RequestAuthorization(d.ctx, eng, caseID, testAuthRequest())
	if err != nil {
		d.t.Fatalf("request authorization: %v", err)
	}
	return a
}

// window returns a confirm input for [now+from, now+to] with the test
// password on the first detail.
func (d *deskFixture) window(a *casebook.Authorization, from, to time.Duration) casebook.ConfirmInput {
	now := d.clock.Now()
	start, end := now.Add(from), now.Add(to)
	return casebook.ConfirmInput{
		EffectiveAt: &start,
		ExpireAt:    &end,
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: testPassword}},
	}
}

// grant confirms a for [now+from, now+to] as the ticket's creator p.
func (d *deskFixture) grant(p *casebook.Principal, a *casebook.Authorization, from, to time.Duration) {
	d.t.Helper()
	if err := d.s.ConfirmAuthorization(d.ctx, p, "", a.ID, d.window(a, from, to)); err != nil {
		d.t.Fatalf("confirm: %v", err)
	}
}

// storedAuth reads an authorization as stored, bypassing visibility.
func (d *deskFixture) storedAuth(id string) *casebook.Authorization {
	d.t.Helper()
	var a *casebook.Authorization
	err := d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		var err error
		a, err = tx.FindAuthorizationByID(d.ctx, id)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return a
}

// credentialRows returns the stored credentials of an authorization.
func (d *deskFixture) credentialRows(id string) []casebook.Credential {
	d.t.Helper()
	var creds []casebook.Credential
	err := d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		var err error
		creds, err = tx.FindCredentials(d.ctx, id)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return creds
}

// auditOf returns the audit events of an authorization with the action.
func (d *deskFixture) auditOf(id, action string) []*casebook.AuditEvent {
	d.t.Helper()
	events, err := d.s.FindAudit(d.ctx, casebook.AuditFilter{AuthorizationID: id, Limit: 1000})
	if err != nil {
		d.t.Fatal(err)
	}
	var out []*casebook.AuditEvent
	for _, e := range events {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func (d *deskFixture) customerStatus(p *casebook.Principal, group, id string) int {
	d.t.Helper()
	a, err := d.s.GetAuthorization(d.ctx, p, group, id)
	if err != nil {
		d.t.Fatal(err)
	}
	return a.Status
}

func TestRequestAuthorization(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "web host down")

	a := d.request(d.eng1, c.ID)
	if a.Status != casebook.AuthStatusPending || a.CaseID != c.ID || a.AccountID != d.alice.AccountID || a.EngineerID != d.eng1.UserID {
		t.Fatalf("authorization = %+v", a)
	}
	if len(a.Details) != 2 || a.Details[0].ID == 0 || a.Details[0].ID == a.Details[1].ID {
		t.Fatalf("details = %+v", a.Details)
	}
	// The request took the unassigned ticket.
	detail, err := d.s.EngineerCase(d.ctx, d.eng1, c.ID)
	wantOK(t, err)
	if detail.Case.AssigneeID != d.eng1.UserID || detail.Case.Status != casebook.CaseStatusProcessing {
		t.Fatalf("case = %+v", detail.Case)
	}
	got, err := d.s.GetAuthorization(d.ctx, d.alice, "", a.ID)
	wantOK(t, err)
	if got.Describe != a.Describe || len(got.Details) != 2 || got.Details[0].Account != "root" || got.Details[0].Port != 22 {
		t.Fatalf("customer view = %+v", got)
	}

	t.Run("ErrOtherEngineersCase", func(t *testing.T) {
		_, err := d.s.RequestAuthorization(d.ctx, d.eng2, c.ID, testAuthRequest())
		wantErr(t, err, casebook.ECONFLICT, "")
	})
	t.Run("ErrClosedCase", func(t *testing.T) {
		closed := d.newCase(d.alice, "done")
		d.setCaseStatus(d.alice, closed.ID, casebook.CaseStatusCompleted)
		_, err := d.s.RequestAuthorization(d.ctx, d.eng1, closed.ID, testAuthRequest())
		wantErr(t, err, casebook.ECONFLICT, "")
		_, err = d.s.RequestAuthorization(d.ctx, d.eng1, "CSNOSUCHCASE", testAuthRequest())
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	})
	t.Run("ErrCustomer", func(t *testing.T) {
		_, err := d.s.RequestAuthorization(d.ctx, d.alice, c.ID, testAuthRequest())
		wantErr(t, err, casebook.EFORBIDDEN, "")
	})

	invalid := map[string]func(r *casebook.AuthorizationRequest){
		"UnknownResourceType": func(r *casebook.AuthorizationRequest) { r.ResourceTypeID = "99" },
		"NoResourceType":      func(r *casebook.AuthorizationRequest) { r.ResourceTypeID = "" },
		"UnknownVisitType":    func(r *casebook.AuthorizationRequest) { r.VisitTypeID = "99" },
		"UnknownContentType":  func(r *casebook.AuthorizationRequest) { r.ContentTypeID = "99" },
		"NoDescribe":          func(r *casebook.AuthorizationRequest) { r.Describe = " " },
		"DescribeTooLong":     func(r *casebook.AuthorizationRequest) { r.Describe = strings.Repeat("d", 2001) },
		"NoDetails":           func(r *casebook.AuthorizationRequest) { r.Details = nil },
		"SixDetails":          func(r *casebook.AuthorizationRequest) { r.Details = make([]casebook.AuthDetail, 6) },
		"BadType":             func(r *casebook.AuthorizationRequest) { r.Details[0].Type = 2 },
		"PortTooHigh":         func(r *casebook.AuthorizationRequest) { r.Details[0].Port = 65536 },
		"NegativePort":        func(r *casebook.AuthorizationRequest) { r.Details[0].Port = -1 },
		"InstanceIDTooLong":   func(r *casebook.AuthorizationRequest) { r.Details[0].InstanceID = strings.Repeat("i", 65) },
		"AccountTooLong":      func(r *casebook.AuthorizationRequest) { r.Details[0].Account = strings.Repeat("a", 65) },
	}
	for name, mutate := range invalid {
		t.Run("Err"+name, func(t *testing.T) {
			r := testAuthRequest()
			mutate(&r)
			_, err := d.s.RequestAuthorization(d.ctx, d.eng1, c.ID, r)
			wantErr(t, err, casebook.EINVALID, "")
		})
	}
	t.Run("Limits", func(t *testing.T) {
		r := testAuthRequest()
		r.Describe = strings.Repeat("d", 2000)
		r.Details = make([]casebook.AuthDetail, 5)
		r.Details[0].Port = 65535
		r.Details[1].InstanceName = strings.Repeat("n", 64)
		r.ContentTypeID = ""
		_, err := d.s.RequestAuthorization(d.ctx, d.eng1, c.ID, r)
		wantOK(t, err)
	})
}

// authState drives a fresh authorization into one state.
type authState struct {
	name   string
	status int // effective status
	make   func(d *deskFixture, a *casebook.Authorization)
}

var authStates = []authState{
	{"Pending", casebook.AuthStatusPending, func(d *deskFixture, a *casebook.Authorization) {}},
	{"Authorized", casebook.AuthStatusAuthorized, func(d *deskFixture, a *casebook.Authorization) {
		d.grant(d.alice, a, 0, time.Hour)
	}},
	{"AuthorizedNotYetInForce", casebook.AuthStatusAuthorized, func(d *deskFixture, a *casebook.Authorization) {
		d.grant(d.alice, a, time.Hour, 2*time.Hour)
	}},
	{"Rejected", casebook.AuthStatusRejected, func(d *deskFixture, a *casebook.Authorization) {
		wantOK(d.t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, "not now"))
	}},
	{"ExpiredUnrecorded", casebook.AuthStatusExpired, func(d *deskFixture, a *casebook.Authorization) {
		d.grant(d.alice, a, 0, time.Minute)
		d.clock.Advance(time.Minute)
	}},
	{"ExpiredRecorded", casebook.AuthStatusExpired, func(d *deskFixture, a *casebook.Authorization) {
		d.grant(d.alice, a, 0, time.Minute)
		d.clock.Advance(time.Minute)
		if _, err := d.s.ExpireGrants(d.ctx); err != nil {
			d.t.Fatal(err)
		}
	}},
	{"Withdrawn", casebook.AuthStatusWithdrawn, func(d *deskFixture, a *casebook.Authorization) {
		wantOK(d.t, d.s.WithdrawAuthorization(d.ctx, d.eng1, a.ID))
	}},
	{"Cancelled", casebook.AuthStatusCancelled, func(d *deskFixture, a *casebook.Authorization) {
		wantOK(d.t, d.s.CancelAuthorization(d.ctx, d.alice, "", a.ID))
	}},
}

// TestAuthorizationTransitions tries every action from every state.
func TestAuthorizationTransitions(t *testing.T) {
	actions := []struct {
		name string
		to   int
		do   func(d *deskFixture, a *casebook.Authorization) error
	}{
		{"Confirm", casebook.AuthStatusAuthorized, func(d *deskFixture, a *casebook.Authorization) error {
			return d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, d.window(a, 0, time.Hour))
		}},
		{"Reject", casebook.AuthStatusRejected, func(d *deskFixture, a *casebook.Authorization) error {
			return d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, "no")
		}},
		{"Cancel", casebook.AuthStatusCancelled, func(d *deskFixture, a *casebook.Authorization) error {
			return d.s.CancelAuthorization(d.ctx, d.alice, "", a.ID)
		}},
		{"Withdraw", casebook.AuthStatusWithdrawn, func(d *deskFixture, a *casebook.Authorization) error {
			return d.s.WithdrawAuthorization(d.ctx, d.eng1, a.ID)
		}},
	}
	allowed := map[string]bool{
		"Pending/Confirm": true, "Pending/Reject": true, "Pending/Cancel": true, "Pending/Withdraw": true,
		"Authorized/Cancel": true, "Authorized/Withdraw": true,
		"AuthorizedNotYetInForce/Cancel": true, "AuthorizedNotYetInForce/Withdraw": true,
	}

	d := newDesk(t)
	c := d.newCase(d.alice, "transitions")
	for _, st := range authStates {
		for _, act := range actions {
			name := st.name + "/" + act.name
			t.Run(name, func(t *testing.T) {
				d.t = t
				a := d.request(d.eng1, c.ID)
				st.make(d, a)
				if got := d.customerStatus(d.alice, "", a.ID); got != st.status {
					t.Fatalf("status before = %d, want %d", got, st.status)
				}
				before := d.storedAuth(a.ID)
				err := act.do(d, a)
				if !allowed[name] {
					wantErr(t, err, casebook.ECONFLICT, "")
					after := d.storedAuth(a.ID)
					if after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) {
						t.Fatalf("refused %s changed the authorization: %d -> %d", name, before.Status, after.Status)
					}
					if got := d.customerStatus(d.alice, "", a.ID); got != st.status {
						t.Fatalf("status after = %d, want %d", got, st.status)
					}
					return
				}
				wantOK(t, err)
				if got := d.storedAuth(a.ID).Status; got != act.to {
					t.Fatalf("stored status = %d, want %d", got, act.to)
				}
				if got := d.customerStatus(d.alice, "", a.ID); got != act.to {
					t.Fatalf("status = %d, want %d", got, act.to)
				}
				wantCreds := 0
				if act.to == casebook.AuthStatusAuthorized {
					wantCreds = 1
				}
				if got := len(d.credentialRows(a.ID)); got != wantCreds {
					t.Fatalf("%d credential rows, want %d", got, wantCreds)
				}
				if act.to != casebook.AuthStatusAuthorized && len(d.auditOf(a.ID, casebook.AuditGrantEnded)) != 1 {
					t.Fatalf("no %s audit event", casebook.AuditGrantEnded)
				}
			})
		}
	}
}

func TestConfirmAuthorization(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "confirm")
	maxDur, maxDelay := d.s.Config.MaxGrantDuration, d.s.Config.MaxGrantStartDelay

	confirm := func(a *casebook.Authorization, from, to time.Duration) error {
		return d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, d.window(a, from, to))
	}

	t.Run("OK", func(t *testing.T) {
		a := d.request(d.eng1, c.ID)
		wantOK(t, confirm(a, 0, time.Hour))
		got, err := d.s.GetAuthorization(d.ctx, d.alice, "", a.ID)
		wantOK(t, err)
		now := d.clock.Now()
		if got.Status != casebook.AuthStatusAuthorized || !got.EffectiveAt.Equal(now) || !got.ExpireAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("authorization = %+v", got)
		}
		if got.HandlerID != d.alice.UserID || got.HandlerName != "alice" {
			t.Fatalf("handler = %q/%q", got.HandlerID, got.HandlerName)
		}
		if !got.Details[0].HasCredential || got.Details[1].HasCredential {
			t.Fatalf("HasCredential = %v, %v", got.Details[0].HasCredential, got.Details[1].HasCredential)
		}
		events := d.auditOf(a.ID, casebook.AuditGrantConfirmed)
		if len(events) != 1 || events[0].ActorID != d.alice.UserID || events[0].CaseID != c.ID || strings.Contains(events[0].Detail, testPassword) {
			t.Fatalf("audit = %+v", events)
		}
	})

	t.Run("WindowBounds", func(t *testing.T) {
		cases := []struct {
			name     string
			from, to time.Duration
			ok       bool
		}{
			{"MaxDuration", 0, maxDur, true},
			{"JustPastMaxDuration", 0, maxDur + time.Millisecond, false},
			{"LatestStart", maxDelay, maxDelay + time.Hour, true},
			{"StartTooLate", maxDelay + time.Millisecond, maxDelay + time.Hour, false},
			{"LatestStartMaxDuration", maxDelay, maxDelay + maxDur, true},
			{"EndNow", -time.Hour, 0, false},
			{"EndInThePast", -2 * time.Hour, -time.Hour, false},
			{"EndBeforeStart", 2 * time.Hour, time.Hour, false},
			{"EmptyWindow", time.Hour, time.Hour, false},
			{"StartInThePast", -time.Hour, time.Hour, true},
			// Measured from now, where a past start is moved to.
			{"PastStartMaxDuration", -time.Hour, maxDur, true},
			{"PastStartTooLong", -time.Hour, maxDur + time.Millisecond, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a := d.request(d.eng1, c.ID)
				err := confirm(a, tc.from, tc.to)
				if !tc.ok {
					wantErr(t, err, casebook.EINVALID, "")
					if got := d.storedAuth(a.ID); got.Status != casebook.AuthStatusPending || len(d.credentialRows(a.ID)) != 0 {
						t.Fatalf("refused confirm left status %d", got.Status)
					}
					return
				}
				wantOK(t, err)
				got := d.storedAuth(a.ID)
				now := d.clock.Now()
				wantStart := now.Add(max(tc.from, 0))
				if !got.EffectiveAt.Equal(wantStart) || !got.ExpireAt.Equal(now.Add(tc.to)) {
					t.Fatalf("window = %v..%v, want %v..%v", got.EffectiveAt, got.ExpireAt, wantStart, now.Add(tc.to))
				}
			})
		}
	})

	t.Run("ErrMissingTimes", func(t *testing.T) {
		a := d.request(d.eng1, c.ID)
		in := d.window(a, 0, time.Hour)
		in.EffectiveAt = nil
		wantErr(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in), casebook.EINVALID, "")
		in = d.window(a, 0, time.Hour)
		in.ExpireAt = nil
		wantErr(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in), casebook.EINVALID, "")
	})

	t.Run("Credentials", func(t *testing.T) {
		a := d.request(d.eng1, c.ID)
		other := d.request(d.eng1, c.ID)
		first, second := a.Details[0].ID, a.Details[1].ID
		bad := map[string][]casebook.Credential{
			"OtherAuthorizationsDetail": {{DetailID: other.Details[0].ID, Password: "p"}},
			"UnknownDetail":             {{DetailID: 987654321, Password: "p"}},
			"Duplicate":                 {{DetailID: first, Password: "p"}, {DetailID: first, Password: "q"}},
			"PortTooHigh":               {{DetailID: first, Password: "p", Port: 65536}},
			"NegativePort":              {{DetailID: first, Password: "p", Port: -1}},
			"AccountTooLong":            {{DetailID: first, Password: "p", Account: strings.Repeat("a", 65)}},
			"PasswordTooLong":           {{DetailID: first, Password: strings.Repeat("p", 10241)}},
			"NoPasswordNoAgency":        {{DetailID: first, Account: "admin"}},
			"Nothing":                   nil,
		}
		for name, creds := range bad {
			in := d.window(a, 0, time.Hour)
			in.Credentials = creds
			wantErr(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in), casebook.EINVALID, "")
			if d.storedAuth(a.ID).Status != casebook.AuthStatusPending {
				t.Fatalf("%s: status changed", name)
			}
		}
		in := d.window(a, 0, time.Hour)
		in.Credentials = []casebook.Credential{
			{DetailID: first, Password: testPassword, Port: 2222, Account: "ops"},
			{DetailID: second, Account: "console-user"},
		}
		wantOK(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in))
		got := d.storedAuth(a.ID)
		if got.Details[0].Port != 2222 || got.Details[0].Account != "ops" || got.Details[1].Account != "console-user" {
			t.Fatalf("details = %+v", got.Details)
		}
		rows := d.credentialRows(a.ID)
		if len(rows) != 1 || rows[0].DetailID != first || rows[0].Password != "" || len(rows[0].Sealed) == 0 || bytes.Contains(rows[0].Sealed, []byte(testPassword)) {
			t.Fatalf("credential rows = %+v", rows)
		}
	})

	t.Run("AgencyOnly", func(t *testing.T) {
		a := d.request(d.eng1, c.ID)
		in := d.window(a, 0, time.Hour)
		in.Credentials = nil
		in.AgencyID = "support-agency"
		wantOK(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in))
		got, err := d.s.GetAuthorization(d.ctx, d.alice, "", a.ID)
		wantOK(t, err)
		if got.AgencyID != "support-agency" || got.AgencyName != "support-agency" || got.Status != casebook.AuthStatusAuthorized {
			t.Fatalf("authorization = %+v", got)
		}
		if n := len(d.credentialRows(a.ID)); n != 0 {
			t.Fatalf("%d credential rows", n)
		}
		in = d.window(a, 0, time.Hour)
		in.AgencyID = strings.Repeat("x", 65)
		wantErr(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", d.request(d.eng1, c.ID).ID, in), casebook.EINVALID, "")
	})

	t.Run("GroupMember", func(t *testing.T) {
		a := d.request(d.eng1, c.ID)
		err := d.s.ConfirmAuthorization(d.ctx, d.bob, "", a.ID, d.window(a, 0, time.Hour))
		wantErr(t, err, casebook.ENOTFOUND, "")
		wantOK(t, d.s.ConfirmAuthorization(d.ctx, d.bob, d.ops, a.ID, d.window(a, 0, time.Hour)))
		if got := d.storedAuth(a.ID); got.HandlerName != "bob" {
			t.Fatalf("handler = %q", got.HandlerName)
		}
	})
}

// afterRead is a store that runs then once, after the next ReadOne.
type afterRead struct {
	casebook.Store
	then func()
}

func (s *afterRead) ReadOne(ctx context.Context, fn func(casebook.Tx) error) error {
	err := s.Store.ReadOne(ctx, fn)
	if then := s.then; then != nil {
		s.then = nil
		then()
	}
	return err
}

// ConfirmAuthorization reads and checks the request before it takes the
// writer: a request that ended in between is refused as if it had been
// read inside, and nothing of the confirmation is written.
func TestConfirmAuthorization_EndedAfterTheRead(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "confirm race")
	store := &afterRead{}
	d.s.TestWrapStore(func(s casebook.Store) casebook.Store { store.Store = s; return store })

	for _, tc := range []struct {
		name   string
		end    func(a *casebook.Authorization) error
		status int
	}{
		{"Withdrawn", func(a *casebook.Authorization) error { return d.s.WithdrawAuthorization(d.ctx, d.eng1, a.ID) }, casebook.AuthStatusWithdrawn},
		{"Rejected", func(a *casebook.Authorization) error {
			return d.s.RejectAuthorization(d.ctx, d.master, "", a.ID, "no")
		}, casebook.AuthStatusRejected},
		{"Confirmed", func(a *casebook.Authorization) error {
			return d.s.ConfirmAuthorization(d.ctx, d.master, "", a.ID, d.window(a, 0, 2*time.Hour))
		}, casebook.AuthStatusAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := d.request(d.eng1, c.ID)
			var endErr error
			store.then = func() { endErr = tc.end(a) }
			err := d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, d.window(a, 0, time.Hour))
			wantOK(t, endErr)
			wantErr(t, err, casebook.ECONFLICT, "")
			if want := fmt.Sprintf("(status %d)", tc.status); !strings.Contains(casebook.ErrorMessage(err), want) {
				t.Fatalf("message %q, want it to name %s", casebook.ErrorMessage(err), want)
			}
			got := d.storedAuth(a.ID)
			if got.Status != tc.status || got.HandlerID == d.alice.UserID {
				t.Fatalf("stored after the refused confirmation: status %d, handler %q", got.Status, got.HandlerID)
			}
			for _, e := range d.auditOf(a.ID, casebook.AuditGrantConfirmed) {
				if e.ActorID == d.alice.UserID {
					t.Fatalf("the refused confirmation is in the audit log: %+v", e)
				}
			}
		})
	}
}

func TestRejectAuthorization(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "reject")
	a := d.request(d.eng1, c.ID)
	wantErr(t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, ""), casebook.EINVALID, "")
	wantErr(t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, "  "), casebook.EINVALID, "")
	wantErr(t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, strings.Repeat("理", 301)), casebook.EINVALID, "")
	reason := strings.Repeat("理", 300) // runes, not bytes
	wantOK(t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, reason))
	got, err := d.s.GetAuthorization(d.ctx, d.alice, "", a.ID)
	wantOK(t, err)
	if got.Status != casebook.AuthStatusRejected || got.RejectReason != reason || got.HandlerID != d.alice.UserID {
		t.Fatalf("authorization = %+v", got)
	}
}

// TestAuthorizationExpiry checks that a grant reads as expired at the
// exact end of its window, before any sweeper ran.
func TestAuthorizationExpiry(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "expiry")
	a := d.request(d.eng1, c.ID)
	d.grant(d.alice, a, 0, time.Hour)
	expired := casebook.AuthStatusExpired
	listExpired := func() int {
		list, _, err := d.s.ListAuthorizations(d.ctx, d.alice, "", casebook.AuthorizationFilter{Status: &expired})
		wantOK(t, err)
		return len(list)
	}

	d.clock.Advance(time.Hour - time.Millisecond)
	if got := d.customerStatus(d.alice, "", a.ID); got != casebook.AuthStatusAuthorized {
		t.Fatalf("1ms before the end: status %d", got)
	}
	if _, err := d.s.ReadCredentials(d.ctx, d.eng1, a.ID); err != nil {
		t.Fatalf("1ms before the end: %v", err)
	}
	if n := listExpired(); n != 0 {
		t.Fatalf("1ms before the end: %d listed as expired", n)
	}

	d.clock.Advance(time.Millisecond)
	if got := d.customerStatus(d.alice, "", a.ID); got != expired {
		t.Fatalf("at the end: status %d, want 3", got)
	}
	eng, err := d.s.EngineerAuthorization(d.ctx, d.eng1, a.ID)
	wantOK(t, err)
	if eng.Status != expired {
		t.Fatalf("engineer view: status %d, want 3", eng.Status)
	}
	if n := listExpired(); n != 1 {
		t.Fatalf("at the end: %d listed as expired, want 1", n)
	}
	list, _, err := d.s.EngineerAuthorizations(d.ctx, d.eng1, casebook.AuthorizationFilter{CaseID: c.ID})
	wantOK(t, err)
	if len(list) != 1 || list[0].Status != expired {
		t.Fatalf("engineer list = %+v", list)
	}
	_, err = d.s.ReadCredentials(d.ctx, d.eng1, a.ID)
	wantErr(t, err, casebook.ECONFLICT, "")
	if d.storedAuth(a.ID).Status != casebook.AuthStatusAuthorized {
		t.Fatal("the expiry was recorded without the sweeper")
	}

	n, err := d.s.ExpireGrants(d.ctx)
	wantOK(t, err)
	if n != 1 {
		t.Fatalf("ExpireGrants = %d, want 1", n)
	}
	if got := d.storedAuth(a.ID).Status; got != expired {
		t.Fatalf("stored status = %d, want 3", got)
	}
	if rows := d.credentialRows(a.ID); len(rows) != 0 {
		t.Fatalf("%d credential rows after expiry", len(rows))
	}
	if events := d.auditOf(a.ID, casebook.AuditGrantEnded); len(events) != 1 {
		t.Fatalf("%d end events", len(events))
	}
	if n, err := d.s.ExpireGrants(d.ctx); err != nil || n != 0 {
		t.Fatalf("second ExpireGrants = %d, %v", n, err)
	}
}

// TestCredentialsDestroyed checks that the credential rows are gone after
// every way a grant can end.
func TestCredentialsDestroyed(t *testing.T) {
	d := newDesk(t)
	ends := map[string]func(c *casebook.Case, a *casebook.Authorization) int{
		"Expiry": func(c *casebook.Case, a *casebook.Authorization) int {
			d.clock.Advance(time.Hour)
			if _, err := d.s.ExpireGrants(d.ctx); err != nil {
				d.t.Fatal(err)
			}
			return casebook.AuthStatusExpired
		},
		"Withdrawal": func(c *casebook.Case, a *casebook.Authorization) int {
			wantOK(d.t, d.s.WithdrawAuthorization(d.ctx, d.eng1, a.ID))
			return casebook.AuthStatusWithdrawn
		},
		"Cancellation": func(c *casebook.Case, a *casebook.Authorization) int {
			wantOK(d.t, d.s.CancelAuthorization(d.ctx, d.alice, "", a.ID))
			return casebook.AuthStatusCancelled
		},
		"CaseClosed": func(c *casebook.Case, a *casebook.Authorization) int {
			wantOK(d.t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}))
			return casebook.AuthStatusCancelled
		},
		"CaseCancelled": func(c *casebook.Case, a *casebook.Authorization) int {
			wantOK(d.t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionCancel}))
			return casebook.AuthStatusCancelled
		},
	}
	for name, end := range ends {
		t.Run(name, func(t *testing.T) {
			d.t = t
			c := d.newCase(d.alice, name)
			a := d.request(d.eng1, c.ID)
			d.grant(d.alice, a, 0, time.Hour)
			if n := len(d.credentialRows(a.ID)); n != 1 {
				t.Fatalf("%d credential rows after confirm", n)
			}
			want := end(c, a)
			if got := d.storedAuth(a.ID); got.Status != want || got.Details[0].HasCredential {
				t.Fatalf("status %d (want %d), HasCredential %v", got.Status, want, got.Details[0].HasCredential)
			}
			if n := len(d.credentialRows(a.ID)); n != 0 {
				t.Fatalf("%d credential rows left", n)
			}
			if len(d.auditOf(a.ID, casebook.AuditGrantEnded)) != 1 || len(d.auditOf(a.ID, casebook.AuditCredentialDestroyed)) != 1 {
				t.Fatal("missing audit events")
			}
		})
	}

	t.Run("Rejection", func(t *testing.T) {
		d.t = t
		c := d.newCase(d.alice, "rejection")
		a := d.request(d.eng1, c.ID)
		wantOK(t, d.s.RejectAuthorization(d.ctx, d.alice, "", a.ID, "no"))
		if n := len(d.credentialRows(a.ID)); n != 0 {
			t.Fatalf("%d credential rows", n)
		}
	})

	t.Run("CaseEndWithdrawsPending", func(t *testing.T) {
		d.t = t
		c := d.newCase(d.alice, "pending")
		pending := d.request(d.eng1, c.ID)
		granted := d.request(d.eng1, c.ID)
		d.grant(d.alice, granted, 0, time.Hour)
		lapsed := d.request(d.eng1, c.ID)
		d.grant(d.alice, lapsed, 0, time.Minute)
		d.clock.Advance(time.Minute)
		wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionCancel}))
		for a, want := range map[*casebook.Authorization]int{
			pending: casebook.AuthStatusWithdrawn,
			granted: casebook.AuthStatusCancelled,
			lapsed:  casebook.AuthStatusExpired,
		} {
			if got := d.storedAuth(a.ID).Status; got != want {
				t.Fatalf("status %d, want %d", got, want)
			}
			if n := len(d.credentialRows(a.ID)); n != 0 {
				t.Fatalf("%d credential rows left", n)
			}
		}
	})
}

func TestReadCredentials(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "read")
	a := d.request(d.eng1, c.ID)
	in := d.window(a, time.Hour, 2*time.Hour)
	in.Credentials[0].Account = "ops"
	in.Credentials[0].Port = 2222
	wantOK(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in))

	read := func(p *casebook.Principal) ([]casebook.Credential, error) {
		return d.s.ReadCredentials(d.ctx, p, a.ID)
	}
	// Before the window starts.
	_, err := read(d.eng1)
	wantErr(t, err, casebook.ECONFLICT, "")

	d.clock.Advance(time.Hour)
	_, err = read(d.eng2)
	wantErr(t, err, casebook.EFORBIDDEN, "")
	_, err = read(d.alice)
	wantErr(t, err, casebook.EFORBIDDEN, "")
	_, err = d.s.ReadCredentials(d.ctx, d.eng1, "AUNOSUCHTHING")
	wantErr(t, err, casebook.ENOTFOUND, "")
	if n := len(d.auditOf(a.ID, casebook.AuditCredentialRead)); n != 0 {
		t.Fatalf("%d read events before any read", n)
	}

	creds, err := read(d.eng1)
	wantOK(t, err)
	if len(creds) != 1 || creds[0].DetailID != a.Details[0].ID || creds[0].Password != testPassword || creds[0].Account != "ops" || creds[0].Port != 2222 || creds[0].Sealed != nil {
		t.Fatalf("credentials = %+v", creds)
	}
	events := d.auditOf(a.ID, casebook.AuditCredentialRead)
	if len(events) != 1 {
		t.Fatalf("%d read events, want 1", len(events))
	}
	e := events[0]
	if e.ActorRealm != casebook.RealmEngineer || e.ActorID != d.eng1.UserID || e.AccountID != d.alice.AccountID || e.CaseID != c.ID || !e.At.Equal(d.clock.Now()) {
		t.Fatalf("audit event = %+v", e)
	}
	if strings.Contains(e.Detail, testPassword) {
		t.Fatal("the audit event holds the password")
	}
	_, err = read(d.eng1)
	wantOK(t, err)
	if n := len(d.auditOf(a.ID, casebook.AuditCredentialRead)); n != 2 {
		t.Fatalf("%d read events, want 2", n)
	}

	// After the window ends.
	d.clock.Advance(time.Hour)
	_, err = read(d.eng1)
	wantErr(t, err, casebook.ECONFLICT, "")
	if n := len(d.auditOf(a.ID, casebook.AuditCredentialRead)); n != 2 {
		t.Fatalf("%d read events, want 2", n)
	}

	// A sealed value moved to another authorization does not open.
	b := d.request(d.eng1, c.ID)
	d.grant(d.alice, b, 0, time.Hour)
	a2 := d.request(d.eng1, c.ID)
	d.grant(d.alice, a2, 0, time.Hour)
	moved := d.credentialRows(b.ID)
	moved[0].DetailID = a2.Details[0].ID
	wantOK(t, d.s.TestStore().Write(d.ctx, func(tx casebook.Tx) error { return tx.SetCredentials(d.ctx, a2.ID, moved) }))
	_, err = d.s.ReadCredentials(d.ctx, d.eng1, a2.ID)
	wantErr(t, err, casebook.EINTERNAL, "")
	if n := len(d.auditOf(a2.ID, casebook.AuditCredentialRead)); n != 0 {
		t.Fatalf("%d read events for a failed read", n)
	}
}

// TestPasswordsSealedAtRest scans the database files for a confirmed
// password.
func TestPasswordsSealedAtRest(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "at rest")
	a := d.request(d.eng1, c.ID)
	in := d.window(a, 0, time.Hour)
	const marker = "visible-account-marker-5521"
	in.Credentials[0].Account = marker
	wantOK(t, d.s.ConfirmAuthorization(d.ctx, d.alice, "", a.ID, in))
	if _, err := d.s.ReadCredentials(d.ctx, d.eng1, a.ID); err != nil {
		t.Fatal(err)
	}

	// MustOpenService keeps the database in a t.TempDir(); every TempDir
	// of a test shares one parent.
	root := filepath.Dir(t.TempDir())
	var files int
	sawMarker := false
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(testPassword)) {
			t.Errorf("%s holds the password in plaintext", path)
		}
		sawMarker = sawMarker || bytes.Contains(b, []byte(marker))
		return nil
	})
	wantOK(t, err)
	if files == 0 || !sawMarker {
		t.Fatalf("scanned %d files and did not find the account name stored next to the password", files)
	}
}

// TestExpireGrants_Concurrent runs two sweepers at once: every grant
// expires exactly once.
func TestExpireGrants_Concurrent(t *testing.T) {
	d := newDesk(t)
	const n = 30
	var ids []string
	for i := 0; i < n; i++ {
		c := d.newCase(d.alice, "sweep")
		a := d.request(d.eng1, c.ID)
		d.grant(d.alice, a, 0, time.Hour)
		ids = append(ids, a.ID)
	}
	keep := d.request(d.eng1, d.newCase(d.alice, "keep").ID)
	d.grant(d.alice, keep, 0, 3*time.Hour)
	d.clock.Advance(2 * time.Hour)

	var wg sync.WaitGroup
	counts := make([]int, 2)
	errs := make([]error, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = d.s.ExpireGrants(d.ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		wantOK(t, err)
	}
	if counts[0]+counts[1] != n {
		t.Fatalf("expired %d + %d, want %d in total", counts[0], counts[1], n)
	}
	for _, id := range ids {
		if got := d.storedAuth(id).Status; got != casebook.AuthStatusExpired {
			t.Fatalf("status %d, want 3", got)
		}
		if events := d.auditOf(id, casebook.AuditGrantEnded); len(events) != 1 {
			t.Fatalf("%d end events for %s, want 1", len(events), id)
		}
		if rows := d.credentialRows(id); len(rows) != 0 {
			t.Fatalf("%d credential rows left", len(rows))
		}
	}
	if got := d.storedAuth(keep.ID).Status; got != casebook.AuthStatusAuthorized || len(d.credentialRows(keep.ID)) != 1 {
		t.Fatalf("a grant still in force was expired (status %d)", got)
	}
}

// TestAuthorizationIsolation calls every id-taking authorization method
// with an authorization of another account, one outside the named group,
// and a group the caller is not in.
func TestAuthorizationIsolation(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "isolated")
	a := d.request(d.eng1, c.ID)

	calls := map[string]func(p *casebook.Principal, group string) error{
		"GetAuthorization": func(p *casebook.Principal, group string) error {
			_, err := d.s.GetAuthorization(d.ctx, p, group, a.ID)
			return err
		},
		"ConfirmAuthorization": func(p *casebook.Principal, group string) error {
			return d.s.ConfirmAuthorization(d.ctx, p, group, a.ID, d.window(a, 0, time.Hour))
		},
		"RejectAuthorization": func(p *casebook.Principal, group string) error {
			return d.s.RejectAuthorization(d.ctx, p, group, a.ID, "no")
		},
		"CancelAuthorization": func(p *casebook.Principal, group string) error {
			return d.s.CancelAuthorization(d.ctx, p, group, a.ID)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(d.gina, ""), casebook.ENOTFOUND, "")
			wantErr(t, call(d.gmaster, ""), casebook.ENOTFOUND, "")
			wantErr(t, call(d.gina, d.gops), casebook.ENOTFOUND, "")
			wantErr(t, call(d.carol, ""), casebook.ENOTFOUND, "")
			wantErr(t, call(d.carol, d.dev), casebook.ENOTFOUND, "")
			wantErr(t, call(d.bob, ""), casebook.ENOTFOUND, "")
			wantErr(t, call(d.carol, d.ops), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.alice, d.gops), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.gina, d.ops), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.eng1, ""), casebook.EFORBIDDEN, "")
		})
	}
	if got := d.storedAuth(a.ID); got.Status != casebook.AuthStatusPending {
		t.Fatalf("status changed to %d", got.Status)
	}

	t.Run("List", func(t *testing.T) {
		count := func(p *casebook.Principal, group string) int {
			list, total, err := d.s.ListAuthorizations(d.ctx, p, group, casebook.AuthorizationFilter{})
			wantOK(t, err)
			if total != len(list) {
				t.Fatalf("total %d, len %d", total, len(list))
			}
			return len(list)
		}
		for name, want := range map[string]struct {
			p     *casebook.Principal
			group string
			n     int
		}{
			"Creator": {d.alice, "", 1}, "Master": {d.master, "", 1}, "GroupMember": {d.bob, d.ops, 1},
			"GroupMemberWithoutGroup": {d.bob, "", 0}, "OtherGroup": {d.carol, d.dev, 0},
			"OtherAccount": {d.gina, "", 0}, "OtherMaster": {d.gmaster, "", 0},
		} {
			if got := count(want.p, want.group); got != want.n {
				t.Errorf("%s sees %d, want %d", name, got, want.n)
			}
		}
		_, _, err := d.s.ListAuthorizations(d.ctx, d.carol, d.ops, casebook.AuthorizationFilter{})
		wantErr(t, err, casebook.EFORBIDDEN, casebook.ReasonNoPermission)
	})

	t.Run("EngineerSide", func(t *testing.T) {
		d.grant(d.alice, a, 0, time.Hour)
		wantErr(t, d.s.WithdrawAuthorization(d.ctx, d.eng2, a.ID), casebook.EFORBIDDEN, "")
		_, err := d.s.ReadCredentials(d.ctx, d.eng2, a.ID)
		wantErr(t, err, casebook.EFORBIDDEN, "")
		for _, p := range []*casebook.Principal{d.alice, d.master, nil} {
			wantErr(t, d.s.WithdrawAuthorization(d.ctx, p, a.ID), casebook.EFORBIDDEN, "")
			_, err := d.s.ReadCredentials(d.ctx, p, a.ID)
			wantErr(t, err, casebook.EFORBIDDEN, "")
			_, err = d.s.EngineerAuthorization(d.ctx, p, a.ID)
			wantErr(t, err, casebook.EFORBIDDEN, "")
			_, _, err = d.s.EngineerAuthorizations(d.ctx, p, casebook.AuthorizationFilter{})
			wantErr(t, err, casebook.EFORBIDDEN, "")
		}
		if got := d.storedAuth(a.ID).Status; got != casebook.AuthStatusAuthorized {
			t.Fatalf("status changed to %d", got)
		}
		// Engineers see every account's requests, never the secrets.
		got, err := d.s.EngineerAuthorization(d.ctx, d.eng2, a.ID)
		wantOK(t, err)
		if got.ID != a.ID {
			t.Fatalf("engineer view = %+v", got)
		}
	})
}
