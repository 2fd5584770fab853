package casebook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// deskFixture is a Service with two accounts and two engineers:
//
//	acme:   master; alice and bob in group "ops"; carol and dave in group "dev"
//	globex: master "gmaster"; gina in group "g-ops"
//	engineers: eng1, eng2
type deskFixture struct {
	t     *testing.T
	ctx   context.Context
	s     *casebook.Service
	clock *testClock

	master, alice, bob, carol, dave *casebook.Principal
	gmaster, gina                   *casebook.Principal
	eng1, eng2                      *casebook.Principal
	ops, dev, gops                  string // group ids
}

func newDesk(t *testing.T) *deskFixture {
	t.Helper()
	s, clock := MustOpenService(t)
	d := &deskFixture{t: t, ctx: context.Background(), s: s, clock: clock}

	d.master = d.account("acme", "master")
	d.alice = d.user("acme", "alice")
	d.bob = d.user("acme", "bob")
	d.carol = d.user("acme", "carol")
	d.dave = d.user("acme", "dave")
	d.ops = d.group("acme", "ops", "alice", "bob")
	d.dev = d.group("acme", "dev", "carol", "dave")
	d.gmaster = d.account("globex", "gmaster")
	d.gina = d.user("globex", "gina")
	d.gops = d.group("globex", "g-ops", "gina")

	// Principals carry the groups as of their resolution.
	d.alice, d.bob = d.resolve(casebook.RealmCustomer, d.alice.UserID), d.resolve(casebook.RealmCustomer, d.bob.UserID)
	d.carol, d.dave = d.resolve(casebook.RealmCustomer, d.carol.UserID), d.resolve(casebook.RealmCustomer, d.dave.UserID)
	d.gina = d.resolve(casebook.RealmCustomer, d.gina.UserID)

	for _, name := range []string{"eng1", "eng2"} {
		e, err := s.CreateEngineer(d.ctx, name, "engineer-password")
		if err != nil {
			t.Fatal(err)
		}
		p := d.resolve(casebook.RealmEngineer, e.ID)
		if name == "eng1" {
			d.eng1 = p
		} else {
			d.eng2 = p
		}
	}
	return d
}

func (d *deskFixture) resolve(realm casebook.Realm, id string) *casebook.Principal {
	d.t.Helper()
	p, _, err := d.s.ResolvePrincipal(d.ctx, realm, id)
	if err != nil {
		d.t.Fatalf("resolve %s: %v", id, err)
	}
	return p
}

func (d *deskFixture) account(name, master string) *casebook.Principal {
	d.t.Helper()
	_, u, err := d.s.CreateAccount(d.ctx, name, master, "master-password")
	if err != nil {
		d.t.Fatal(err)
	}
	return d.resolve(casebook.RealmCustomer, u.ID)
}

func (d *deskFixture) user(account, name string) *casebook.Principal {
	d.t.Helper()
	u, err := d.s.CreateUser(d.ctx, account, name, "user-password")
	if err != nil {
		d.t.Fatal(err)
	}
	return d.resolve(casebook.RealmCustomer, u.ID)
}

func (d *deskFixture) group(account, name string, members ...string) string {
	d.t.Helper()
	g, err := d.s.CreateGroup(d.ctx, account, name)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, m := range members {
		if err := d.s.AddGroupMember(d.ctx, account, g.ID, m); err != nil {
			d.t.Fatal(err)
		}
	}
	return g.ID
}

// newCase opens a consultation ticket as p.
func (d *deskFixture) newCase(p *casebook.Principal, desc string) *casebook.Case {
	d.t.Helper()
	c, err := d.s.CreateCase(d.ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: desc})
	if err != nil {
		d.t.Fatalf("create case: %v", err)
	}
	return c
}

// caseStatus reads a ticket's stored status, bypassing visibility.
func (d *deskFixture) caseStatus(id string) int {
	d.t.Helper()
	var status int
	err := d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		c, err := tx.FindCaseByID(d.ctx, id)
		if err == nil {
			status = c.Status
		}
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return status
}

// setCaseStatus drives a ticket to status as an engineer or a customer
// would: 1, 2, 17 by eng1; 3 (close) and 4 (cancel) by its creator.
func (d *deskFixture) setCaseStatus(creator *casebook.Principal, id string, status int) {
	d.t.Helper()
	var err error
	switch status {
	case casebook.CaseStatusPendingAcceptance:
		return
	case casebook.CaseStatusCompleted:
		err = d.s.CaseAction(d.ctx, creator, "", id, casebook.CaseActionInput{Action: casebook.CaseActionClose})
	case casebook.CaseStatusCancelled:
		err = d.s.CaseAction(d.ctx, creator, "", id, casebook.CaseActionInput{Action: casebook.CaseActionCancel})
	default:
		_, err = d.s.SetCaseStatus(d.ctx, d.eng1, id, status)
	}
	if err != nil {
		d.t.Fatalf("set status %d: %v", status, err)
	}
	if got := d.caseStatus(id); got != status {
		d.t.Fatalf("status = %d, want %d", got, status)
	}
}

func (d *deskFixture) upload(p *casebook.Principal, name, from string) *casebook.Accessory {
	d.t.Helper()
	body := "content of " + name
	a, err := d.s.UploadAccessory(d.ctx, p, casebook.UploadInput{FileName: name, From: from, Size: int64(len(body))}, strings.NewReader(body))
	if err != nil {
		d.t.Fatalf("upload: %v", err)
	}
	return a
}

// wantErr fails unless err has the code (and reason, when not empty).
func wantErr(t *testing.T, err error, code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", code)
	}
	if got := casebook.ErrorCode(err); got != code {
		t.Fatalf("code = %s, want %s (%v)", got, code, err)
	}
	if reason != "" && casebook.ErrorReason(err) != reason {
		t.Fatalf("reason = %q, want %q (%v)", casebook.ErrorReason(err), reason, err)
	}
}

func wantOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreateCase(t *testing.T) {
	d := newDesk(t)

	t.Run("OK", func(t *testing.T) {
		c, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{
			BusinessTypeID: "1", SeverityID: "2", SimpleDescription: "The disk is full.",
			ExtendsMap: map[string]string{"k": "v"},
		})
		wantOK(t, err)
		if c.Status != casebook.CaseStatusPendingAcceptance || c.AccountID != d.alice.AccountID || c.CreatorID != d.alice.UserID || c.CreatorName != "alice" {
			t.Fatalf("case = %+v", c)
		}
		if c.SourceID != casebook.SourceAPI {
			t.Fatalf("source = %q", c.SourceID)
		}
		if !c.CreatedAt.Equal(d.clock.Now()) {
			t.Fatalf("created = %v, want %v", c.CreatedAt, d.clock.Now())
		}
		detail, err := d.s.GetCase(d.ctx, d.alice, "", c.ID)
		wantOK(t, err)
		if detail.Case.ID != c.ID || detail.Case.SeverityID != "2" || detail.Case.ExtendsMap["k"] != "v" {
			t.Fatalf("detail = %+v", detail.Case)
		}
		if len(detail.Messages) != 1 {
			t.Fatalf("messages = %d, want 1", len(detail.Messages))
		}
		m := detail.Messages[0]
		if !m.IsFirst || m.Content != "The disk is full." || m.Type != casebook.MessageFromCustomer || m.AuthorID != d.alice.UserID {
			t.Fatalf("first message = %+v", m)
		}
	})

	t.Run("FaultReportNeedsRegion", func(t *testing.T) {
		_, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "2", SimpleDescription: "down"})
		wantErr(t, err, casebook.EINVALID, "")
		_, err = d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "2", RegionID: "cn-south-1", SimpleDescription: "down"})
		wantOK(t, err)
	})

	for name, in := range map[string]casebook.CaseInput{
		"ErrBusinessTypeRequired": {SimpleDescription: "x"},
		"ErrBusinessTypeUnknown":  {BusinessTypeID: "999", SimpleDescription: "x"},
		"ErrDescriptionRequired":  {BusinessTypeID: "1", SimpleDescription: "   "},
		"ErrDescriptionTooLong":   {BusinessTypeID: "1", SimpleDescription: strings.Repeat("x", 2001)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := d.s.CreateCase(d.ctx, d.alice, in)
			wantErr(t, err, casebook.EINVALID, "")
		})
	}

	t.Run("ErrSeverityNotFound", func(t *testing.T) {
		_, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SeverityID: "99", SimpleDescription: "x"})
		wantErr(t, err, casebook.EINVALID, casebook.ReasonSeverityNotFound)
	})

	t.Run("ErrEngineer", func(t *testing.T) {
		_, err := d.s.CreateCase(d.ctx, d.eng1, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x"})
		wantErr(t, err, casebook.EFORBIDDEN, "")
	})

	t.Run("NothingStoredOnError", func(t *testing.T) {
		before, _, err := d.s.ListCases(d.ctx, d.bob, "", casebook.CaseFilter{})
		wantOK(t, err)
		_, err = d.s.CreateCase(d.ctx, d.bob, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: []string{"ACNOSUCHTHING"}})
		wantErr(t, err, casebook.ENOTFOUND, "")
		after, _, err := d.s.ListCases(d.ctx, d.bob, "", casebook.CaseFilter{})
		wantOK(t, err)
		if len(after) != len(before) {
			t.Fatalf("cases %d -> %d after a failed create", len(before), len(after))
		}
	})
}

func TestCreateCase_Accessories(t *testing.T) {
	d := newDesk(t)
	a1 := d.upload(d.alice, "one.txt", casebook.AccessoryFromIncident)
	a2 := d.upload(d.alice, "two.log", casebook.AccessoryFromIncident)

	c, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "see files", AccessoryIDs: []string{a1.ID, a2.ID}})
	wantOK(t, err)
	detail, err := d.s.GetCase(d.ctx, d.alice, "", c.ID)
	wantOK(t, err)
	refs := detail.Messages[0].Accessories
	if len(refs) != 2 || refs[0].FileName == "" {
		t.Fatalf("first message accessories = %+v", refs)
	}
	got, err := d.s.OpenAccessories(d.ctx, d.alice, "", []string{a1.ID})
	wantOK(t, err)
	if got[0].CaseID != c.ID {
		t.Fatalf("accessory case = %q, want %q", got[0].CaseID, c.ID)
	}

	t.Run("ErrAlreadyAttached", func(t *testing.T) {
		_, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "again", AccessoryIDs: []string{a1.ID}})
		wantErr(t, err, casebook.ECONFLICT, "")
	})
	t.Run("ErrOtherUsersUpload", func(t *testing.T) {
		b := d.upload(d.bob, "bob.txt", casebook.AccessoryFromIncident)
		_, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: []string{b.ID}})
		wantErr(t, err, casebook.ENOTFOUND, "")
		g := d.upload(d.gina, "gina.txt", casebook.AccessoryFromIncident)
		_, err = d.s.CreateCase(d.ctx, d.master, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: []string{g.ID}})
		wantErr(t, err, casebook.ENOTFOUND, "")
		// The master may attach any unattached upload of the account.
		_, err = d.s.CreateCase(d.ctx, d.master, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: []string{b.ID}})
		wantOK(t, err)
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		var ids []string
		for i := 0; i <= d.s.Config.AccessoryMaxCount; i++ {
			ids = append(ids, d.upload(d.carol, "f.txt", casebook.AccessoryFromIncident).ID)
		}
		_, err := d.s.CreateCase(d.ctx, d.carol, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: ids})
		wantErr(t, err, casebook.EINVALID, "")
		_, err = d.s.CreateCase(d.ctx, d.carol, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: ids[:d.s.Config.AccessoryMaxCount]})
		wantOK(t, err)
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		x := d.upload(d.dave, "x.txt", casebook.AccessoryFromIncident)
		_, err := d.s.CreateCase(d.ctx, d.dave, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "x", AccessoryIDs: []string{x.ID, x.ID}})
		wantErr(t, err, casebook.EINVALID, "")
	})
}

func TestListCases(t *testing.T) {
	d := newDesk(t)
	a := d.newCase(d.alice, "alice one")
	b := d.newCase(d.bob, "bob one")
	c := d.newCase(d.carol, "carol one")
	g := d.newCase(d.gina, "gina one")

	ids := func(p *casebook.Principal, group string) map[string]bool {
		t.Helper()
		list, total, err := d.s.ListCases(d.ctx, p, group, casebook.CaseFilter{})
		wantOK(t, err)
		if total != len(list) {
			t.Fatalf("total = %d, len = %d", total, len(list))
		}
		m := map[string]bool{}
		for _, c := range list {
			m[c.ID] = true
		}
		return m
	}
	if got := ids(d.alice, ""); len(got) != 1 || !got[a.ID] {
		t.Fatalf("alice sees %v", got)
	}
	if got := ids(d.alice, d.ops); len(got) != 2 || !got[a.ID] || !got[b.ID] {
		t.Fatalf("alice in ops sees %v", got)
	}
	if got := ids(d.master, ""); len(got) != 3 || !got[a.ID] || !got[b.ID] || !got[c.ID] {
		t.Fatalf("master sees %v", got)
	}
	if got := ids(d.gmaster, ""); len(got) != 1 || !got[g.ID] {
		t.Fatalf("gmaster sees %v", got)
	}
	_, _, err := d.s.ListCases(d.ctx, d.alice, d.dev, casebook.CaseFilter{})
	wantErr(t, err, casebook.EFORBIDDEN, casebook.ReasonNoPermission)
	_, _, err = d.s.ListCases(d.ctx, d.alice, d.gops, casebook.CaseFilter{})
	wantErr(t, err, casebook.EFORBIDDEN, casebook.ReasonNoPermission)

	// Deleted tickets disappear.
	d.setCaseStatus(d.alice, a.ID, casebook.CaseStatusCompleted)
	wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", a.ID, casebook.CaseActionInput{Action: casebook.CaseActionDelete}))
	if got := ids(d.master, ""); got[a.ID] || len(got) != 2 {
		t.Fatalf("master sees deleted case: %v", got)
	}
}

func TestCaseAction(t *testing.T) {
	d := newDesk(t)
	act := func(p *casebook.Principal, id, action string) error {
		return d.s.CaseAction(d.ctx, p, "", id, casebook.CaseActionInput{Action: action})
	}
	openStatuses := []int{casebook.CaseStatusPendingAcceptance, casebook.CaseStatusProcessing, casebook.CaseStatusPendingConfirm, casebook.CaseStatusPendingFeedback}

	t.Run("CancelAndCloseFromEveryOpenStatus", func(t *testing.T) {
		for _, from := range openStatuses {
			for action, to := range map[string]int{casebook.CaseActionCancel: casebook.CaseStatusCancelled, casebook.CaseActionClose: casebook.CaseStatusCompleted} {
				c := d.newCase(d.alice, "x")
				d.setCaseStatus(d.alice, c.ID, from)
				wantOK(t, act(d.alice, c.ID, action))
				if got := d.caseStatus(c.ID); got != to {
					t.Fatalf("%s from %d: status %d, want %d", action, from, got, to)
				}
				detail, err := d.s.GetCase(d.ctx, d.alice, "", c.ID)
				wantOK(t, err)
				if detail.Case.ConfirmedAt == nil {
					t.Fatalf("%s from %d: no confirmed time", action, from)
				}
			}
		}
	})

	t.Run("FinalStatusesNeverChange", func(t *testing.T) {
		for _, final := range []int{casebook.CaseStatusCompleted, casebook.CaseStatusCancelled} {
			c := d.newCase(d.alice, "x")
			d.setCaseStatus(d.alice, c.ID, final)
			for _, action := range []string{casebook.CaseActionCancel, casebook.CaseActionClose, casebook.CaseActionPress} {
				wantErr(t, act(d.alice, c.ID, action), casebook.ECONFLICT, "")
			}
			for _, to := range []int{1, 2, 17} {
				_, err := d.s.SetCaseStatus(d.ctx, d.eng1, c.ID, to)
				wantErr(t, err, casebook.ECONFLICT, "")
			}
			_, err := d.s.TakeCase(d.ctx, d.eng2, c.ID)
			wantErr(t, err, casebook.ECONFLICT, "")
			_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "hello?", nil)
			wantErr(t, err, casebook.ECONFLICT, "")
			_, err = d.s.Reply(d.ctx, d.eng1, c.ID, "hello?")
			wantErr(t, err, casebook.ECONFLICT, "")
			if got := d.caseStatus(c.ID); got != final {
				t.Fatalf("status %d changed to %d", final, got)
			}
			// Deleted is final too: nothing finds it any more.
			wantOK(t, act(d.alice, c.ID, casebook.CaseActionDelete))
			if got := d.caseStatus(c.ID); got != casebook.CaseStatusDeleted {
				t.Fatalf("status = %d, want 13", got)
			}
			for _, action := range []string{casebook.CaseActionCancel, casebook.CaseActionClose, casebook.CaseActionPress, casebook.CaseActionDelete} {
				wantErr(t, act(d.alice, c.ID, action), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			}
			_, err = d.s.GetCase(d.ctx, d.master, "", c.ID)
			wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			_, err = d.s.EngineerCase(d.ctx, d.eng1, c.ID)
			wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			_, err = d.s.SetCaseStatus(d.ctx, d.eng1, c.ID, 1)
			wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			if got := d.caseStatus(c.ID); got != casebook.CaseStatusDeleted {
				t.Fatalf("status = %d, want 13", got)
			}
		}
	})

	t.Run("ErrDeleteOpen", func(t *testing.T) {
		for _, from := range openStatuses {
			c := d.newCase(d.alice, "x")
			d.setCaseStatus(d.alice, c.ID, from)
			wantErr(t, act(d.alice, c.ID, casebook.CaseActionDelete), casebook.ECONFLICT, "")
			if got := d.caseStatus(c.ID); got != from {
				t.Fatalf("status = %d, want %d", got, from)
			}
		}
	})

	t.Run("Press", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		wantOK(t, act(d.alice, c.ID, casebook.CaseActionPress))
		d.clock.Advance(d.s.Config.UrgeInterval - time.Millisecond)
		wantErr(t, act(d.alice, c.ID, casebook.CaseActionPress), casebook.ELIMIT, casebook.ReasonUrgeTooSoon)
		d.clock.Advance(time.Millisecond)
		wantOK(t, act(d.alice, c.ID, casebook.CaseActionPress))
		wantErr(t, act(d.alice, c.ID, casebook.CaseActionPress), casebook.ELIMIT, casebook.ReasonUrgeTooSoon)
		if got := d.caseStatus(c.ID); got != casebook.CaseStatusPendingAcceptance {
			t.Fatalf("press changed the status to %d", got)
		}
	})

	t.Run("ErrUnknownAction", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		for _, action := range []string{"", "reopen", "CLOSE"} {
			wantErr(t, act(d.alice, c.ID, action), casebook.EINVALID, casebook.ReasonBadCaseAction)
		}
	})

	t.Run("Judgement", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		err := d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose, Judgement: strings.Repeat("j", 401)})
		wantErr(t, err, casebook.EINVALID, "")
		wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose, Judgement: "Quick and helpful."}))
		detail, err := d.s.GetCase(d.ctx, d.alice, "", c.ID)
		wantOK(t, err)
		if detail.Case.Judgement != "Quick and helpful." {
			t.Fatalf("judgement = %q", detail.Case.Judgement)
		}
	})

	t.Run("GroupMemberActsWithGroup", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		wantErr(t, act(d.bob, c.ID, casebook.CaseActionClose), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		wantOK(t, d.s.CaseAction(d.ctx, d.bob, d.ops, c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}))
	})
}

func TestCreateMessage(t *testing.T) {
	d := newDesk(t)

	t.Run("CustomerReplyReopens", func(t *testing.T) {
		for from, want := range map[int]int{
			casebook.CaseStatusPendingAcceptance: casebook.CaseStatusPendingAcceptance,
			casebook.CaseStatusProcessing:        casebook.CaseStatusProcessing,
			casebook.CaseStatusPendingFeedback:   casebook.CaseStatusProcessing,
			casebook.CaseStatusPendingConfirm:    casebook.CaseStatusProcessing,
		} {
			c := d.newCase(d.alice, "x")
			d.setCaseStatus(d.alice, c.ID, from)
			m, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "more details", nil)
			wantOK(t, err)
			if m.Type != casebook.MessageFromCustomer || m.IsFirst || m.Content != "more details" {
				t.Fatalf("message = %+v", m)
			}
			if got := d.caseStatus(c.ID); got != want {
				t.Fatalf("from %d: status %d, want %d", from, got, want)
			}
		}
	})

	t.Run("Accessories", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		a := d.upload(d.alice, "trace.log", casebook.AccessoryFromMessage)
		d.clock.Advance(time.Second) // messages are ordered by time
		m, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "trace attached", []string{a.ID})
		wantOK(t, err)
		msgs, total, err := d.s.ListMessages(d.ctx, d.alice, "", c.ID, 0, 0)
		wantOK(t, err)
		if total != 2 || len(msgs) != 2 || msgs[1].ID != m.ID || len(msgs[1].Accessories) != 1 || msgs[1].Accessories[0].ID != a.ID {
			t.Fatalf("messages = %d/%d %+v", len(msgs), total, msgs)
		}
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "again", []string{a.ID})
		wantErr(t, err, casebook.ECONFLICT, "")
		b := d.upload(d.bob, "bob.log", casebook.AccessoryFromMessage)
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "not mine", []string{b.ID})
		wantErr(t, err, casebook.ENOTFOUND, "")
	})

	t.Run("Errors", func(t *testing.T) {
		c := d.newCase(d.alice, "x")
		_, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "  ", nil)
		wantErr(t, err, casebook.EINVALID, "")
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, strings.Repeat("m", 10001), nil)
		wantErr(t, err, casebook.EINVALID, "")
		_, err = d.s.CreateMessage(d.ctx, d.alice, "", "CSNOSUCHCASE", "x", nil)
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	})
}

func TestListMessages(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "first")
	for i := 0; i < 12; i++ {
		d.clock.Advance(time.Second)
		_, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "m", nil)
		wantOK(t, err)
	}
	msgs, total, err := d.s.ListMessages(d.ctx, d.alice, "", c.ID, 10, 5)
	wantOK(t, err)
	if total != 13 || len(msgs) != 3 {
		t.Fatalf("page = %d of %d, want 3 of 13", len(msgs), total)
	}
	msgs, _, err = d.s.ListMessages(d.ctx, d.alice, "", c.ID, 0, 0)
	wantOK(t, err)
	if len(msgs) != 10 || !msgs[0].IsFirst {
		t.Fatalf("default page = %d messages, first %+v", len(msgs), msgs[0])
	}
	_, _, err = d.s.ListMessages(d.ctx, d.alice, "", c.ID, -1, 10)
	wantErr(t, err, casebook.EINVALID, "")
	_, _, err = d.s.ListMessages(d.ctx, d.alice, "", c.ID, 0, 101)
	wantErr(t, err, casebook.EINVALID, "")
	detail, err := d.s.GetCase(d.ctx, d.alice, "", c.ID)
	wantOK(t, err)
	if len(detail.Messages) != 13 {
		t.Fatalf("detail has %d messages, want 13", len(detail.Messages))
	}
}

func TestEngineerCases(t *testing.T) {
	d := newDesk(t)
	a := d.newCase(d.alice, "acme case")
	g := d.newCase(d.gina, "globex case")

	t.Run("QueueSpansAccounts", func(t *testing.T) {
		list, total, err := d.s.Queue(d.ctx, d.eng1, casebook.CaseFilter{})
		wantOK(t, err)
		found := map[string]bool{}
		for _, c := range list {
			found[c.ID] = true
		}
		if total != 2 || !found[a.ID] || !found[g.ID] {
			t.Fatalf("queue = %v (total %d)", found, total)
		}
		status := casebook.CaseStatusProcessing
		list, _, err = d.s.Queue(d.ctx, d.eng1, casebook.CaseFilter{Status: &status})
		wantOK(t, err)
		if len(list) != 0 {
			t.Fatalf("queue filtered by status 1 = %d cases", len(list))
		}
	})

	t.Run("Take", func(t *testing.T) {
		c, err := d.s.TakeCase(d.ctx, d.eng1, a.ID)
		wantOK(t, err)
		if c.Status != casebook.CaseStatusProcessing || c.AssigneeID != d.eng1.UserID || c.AssigneeName != "eng1" {
			t.Fatalf("taken case = %+v", c)
		}
		_, err = d.s.TakeCase(d.ctx, d.eng1, a.ID) // again: no-op
		wantOK(t, err)
		_, err = d.s.TakeCase(d.ctx, d.eng2, a.ID)
		wantErr(t, err, casebook.ECONFLICT, "")
		_, err = d.s.SetCaseStatus(d.ctx, d.eng2, a.ID, casebook.CaseStatusPendingFeedback)
		wantErr(t, err, casebook.ECONFLICT, "")
		_, err = d.s.Reply(d.ctx, d.eng2, a.ID, "mine now")
		wantErr(t, err, casebook.ECONFLICT, "")
		_, err = d.s.TakeCase(d.ctx, d.eng1, "CSNOSUCHCASE")
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	})

	t.Run("SetStatus", func(t *testing.T) {
		for _, to := range []int{casebook.CaseStatusPendingFeedback, casebook.CaseStatusPendingConfirm, casebook.CaseStatusProcessing} {
			c, err := d.s.SetCaseStatus(d.ctx, d.eng1, a.ID, to)
			wantOK(t, err)
			if c.Status != to || d.caseStatus(a.ID) != to {
				t.Fatalf("status = %d, want %d", c.Status, to)
			}
		}
		for _, to := range []int{0, 3, 4, 5, 12, 13, -1} {
			_, err := d.s.SetCaseStatus(d.ctx, d.eng1, a.ID, to)
			wantErr(t, err, casebook.EINVALID, "")
		}
		// Setting a status on an unassigned ticket takes it.
		c, err := d.s.SetCaseStatus(d.ctx, d.eng2, g.ID, casebook.CaseStatusPendingFeedback)
		wantOK(t, err)
		if c.AssigneeID != d.eng2.UserID {
			t.Fatalf("assignee = %q", c.AssigneeID)
		}
	})

	t.Run("Reply", func(t *testing.T) {
		d.clock.Advance(time.Second) // messages are ordered by time
		m, err := d.s.Reply(d.ctx, d.eng1, a.ID, "Please send the logs.")
		wantOK(t, err)
		if m.Type != casebook.MessageFromEngineer || m.AuthorID != d.eng1.UserID || m.AuthorName != "eng1" {
			t.Fatalf("reply = %+v", m)
		}
		detail, err := d.s.EngineerCase(d.ctx, d.eng1, a.ID)
		wantOK(t, err)
		last := detail.Messages[len(detail.Messages)-1]
		if last.ID != m.ID || last.Content != "Please send the logs." {
			t.Fatalf("last message = %+v", last)
		}
		// The customer sees it too.
		cd, err := d.s.GetCase(d.ctx, d.alice, "", a.ID)
		wantOK(t, err)
		if cd.Messages[len(cd.Messages)-1].ID != m.ID {
			t.Fatal("customer does not see the reply")
		}
		_, err = d.s.Reply(d.ctx, d.eng1, a.ID, " ")
		wantErr(t, err, casebook.EINVALID, "")
	})

	t.Run("ErrCustomers", func(t *testing.T) {
		_, _, err := d.s.Queue(d.ctx, d.master, casebook.CaseFilter{})
		wantErr(t, err, casebook.EFORBIDDEN, "")
		_, err = d.s.EngineerCase(d.ctx, d.alice, a.ID)
		wantErr(t, err, casebook.EFORBIDDEN, "")
		_, err = d.s.TakeCase(d.ctx, d.alice, a.ID)
		wantErr(t, err, casebook.EFORBIDDEN, "")
		_, err = d.s.SetCaseStatus(d.ctx, d.alice, a.ID, 1)
		wantErr(t, err, casebook.EFORBIDDEN, "")
		_, err = d.s.Reply(d.ctx, d.alice, a.ID, "x")
		wantErr(t, err, casebook.EFORBIDDEN, "")
		_, err = d.s.Reply(d.ctx, nil, a.ID, "x")
		wantErr(t, err, casebook.EFORBIDDEN, "")
	})
}

// TestCaseIsolation calls every id-taking customer ticket method with a
// ticket of another account, a ticket outside the named group, and a group
// the caller is not in.
func TestCaseIsolation(t *testing.T) {
	d := newDesk(t)
	globex := d.newCase(d.gina, "globex secret")
	devCase := d.newCase(d.carol, "dev secret")
	mine := d.newCase(d.alice, "mine")

	calls := map[string]func(p *casebook.Principal, group, id string) error{
		"GetCase": func(p *casebook.Principal, group, id string) error {
			_, err := d.s.GetCase(d.ctx, p, group, id)
			return err
		},
		"CaseAction": func(p *casebook.Principal, group, id string) error {
			return d.s.CaseAction(d.ctx, p, group, id, casebook.CaseActionInput{Action: casebook.CaseActionPress})
		},
		"CreateMessage": func(p *casebook.Principal, group, id string) error {
			_, err := d.s.CreateMessage(d.ctx, p, group, id, "hi", nil)
			return err
		},
		"ListMessages": func(p *casebook.Principal, group, id string) error {
			_, _, err := d.s.ListMessages(d.ctx, p, group, id, 0, 10)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(d.alice, "", globex.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.master, "", globex.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.alice, d.ops, devCase.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.alice, "", devCase.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
			wantErr(t, call(d.carol, d.ops, mine.ID), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.alice, d.gops, mine.ID), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.gina, d.ops, mine.ID), casebook.EFORBIDDEN, casebook.ReasonNoPermission)
			wantErr(t, call(d.eng1, "", mine.ID), casebook.EFORBIDDEN, "")
		})
	}
	// Nothing above changed the tickets.
	for _, c := range []*casebook.Case{globex, devCase, mine} {
		detail, err := d.s.EngineerCase(d.ctx, d.eng1, c.ID)
		wantOK(t, err)
		if len(detail.Messages) != 1 || detail.Case.LastUrgedAt != nil {
			t.Fatalf("case %s was changed: %d messages, urged %v", c.ID, len(detail.Messages), detail.Case.LastUrgedAt)
		}
	}
}

// TestNULRefused: no text the Service stores may hold a NUL character
// (PostgreSQL refuses it: it was a 500 there); the ticket is not created.
func TestNULRefused(t *testing.T) {
	d := newDesk(t)
	_, err := d.s.CreateCase(d.ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "disk\x00full"})
	wantErr(t, err, casebook.EINVALID, "")
	c := d.newCase(d.alice, "clean")
	_, err = d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "hello\x00", nil)
	wantErr(t, err, casebook.EINVALID, "")
	cases, total, err := d.s.ListCases(d.ctx, d.alice, "", casebook.CaseFilter{})
	wantOK(t, err)
	if total != 1 || len(cases) != 1 {
		t.Fatalf("after refused input: %d tickets, want only the clean one", total)
	}
}
