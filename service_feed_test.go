package casebook_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// caseKinds returns the kinds of a ticket's whole history, in order.
func (d *deskFixture) caseKinds(p *casebook.Principal, caseID string) []int {
	d.t.Helper()
	events, total, err := d.s.CaseLog(d.ctx, p, "", caseID, 0, casebook.MaxPageLimit)
	if err != nil {
		d.t.Fatal(err)
	}
	if total != len(events) {
		d.t.Fatalf("total %d, %d events", total, len(events))
	}
	kinds := make([]int, len(events))
	for i, e := range events {
		kinds[i] = e.Kind
	}
	return kinds
}

// TestCaseLog drives a ticket through its life and checks that every
// change, and every credential read, is in its history, in order, with
// who did it.
func TestCaseLog(t *testing.T) {
	d := newDesk(t)
	att := d.upload(d.alice, "trace.log", casebook.AccessoryFromMessage)
	c := d.newCase(d.alice, "history")
	other := d.newCase(d.alice, "other")

	wantOK(t, d.s.CreateRelations(d.ctx, d.alice, "", c.ID, []string{other.ID}))
	wantOK(t, d.s.DeleteRelation(d.ctx, d.alice, "", c.ID, other.ID))
	_, err := d.s.Reply(d.ctx, d.eng1, c.ID, "hello") // takes it: 0 -> 1
	wantOK(t, err)
	_, err = d.s.SetCaseStatus(d.ctx, d.eng1, c.ID, casebook.CaseStatusPendingFeedback)
	wantOK(t, err)
	m, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "answer", []string{att.ID}) // 17 -> 1
	wantOK(t, err)
	a := d.request(d.eng1, c.ID)
	d.grant(d.alice, a, 0, time.Hour)
	_, err = d.s.ReadCredentials(d.ctx, d.eng1, a.ID)
	wantOK(t, err)
	_, err = d.s.ReadCredentials(d.ctx, d.eng1, a.ID)
	wantOK(t, err)
	rejected := d.request(d.eng1, c.ID)
	wantOK(t, d.s.RejectAuthorization(d.ctx, d.alice, "", rejected.ID, "no"))
	withdrawn := d.request(d.eng1, c.ID)
	wantOK(t, d.s.WithdrawAuthorization(d.ctx, d.eng1, withdrawn.ID))
	d.clock.Advance(2 * time.Hour)
	n, err := d.s.ExpireGrants(d.ctx)
	wantOK(t, err)
	if n != 1 {
		t.Fatalf("ExpireGrants = %d, want 1", n)
	}
	cancelled := d.request(d.eng1, c.ID)
	d.grant(d.alice, cancelled, 0, time.Hour)
	wantOK(t, d.s.CancelAuthorization(d.ctx, d.alice, "", cancelled.ID))
	wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionPress, OperateDesc: "please hurry"}))
	wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}))

	want := []int{
		casebook.CaseEventCreated,
		casebook.CaseEventRelationAdded, casebook.CaseEventRelationRemoved,
		casebook.CaseEventStatusChanged, casebook.CaseEventMessage, // the reply takes the ticket
		casebook.CaseEventStatusChanged,                                                          // -> 17
		casebook.CaseEventMessage, casebook.CaseEventAttachment, casebook.CaseEventStatusChanged, // the customer answers
		casebook.CaseEventAuthRequested, casebook.CaseEventAuthConfirmed,
		casebook.CaseEventCredentialsRead, casebook.CaseEventCredentialsRead,
		casebook.CaseEventAuthRequested, casebook.CaseEventAuthRejected,
		casebook.CaseEventAuthRequested, casebook.CaseEventAuthWithdrawn,
		casebook.CaseEventAuthExpired,
		casebook.CaseEventAuthRequested, casebook.CaseEventAuthConfirmed, casebook.CaseEventAuthCancelled,
		casebook.CaseEventUrged, casebook.CaseEventClosed,
	}
	if got := d.caseKinds(d.alice, c.ID); !slices.Equal(got, want) {
		t.Fatalf("history kinds\n got %v\nwant %v", got, want)
	}

	events, _, err := d.s.CaseLog(d.ctx, d.master, "", c.ID, 0, casebook.MaxPageLimit)
	wantOK(t, err)
	for _, e := range events {
		switch e.Kind {
		case casebook.CaseEventCredentialsRead:
			if e.ActorID != d.eng1.UserID || e.ActorRealm != casebook.RealmEngineer || e.Detail != a.ID {
				t.Errorf("credential read event %+v: want eng1 and the authorization id", e)
			}
			if strings.Contains(e.Detail, "password") || strings.Contains(casebook.CaseEventText(e, "en-us"), "password") {
				t.Errorf("credential read event shows a secret: %+v", e)
			}
		case casebook.CaseEventMessage:
			if e.ActorRealm == casebook.RealmCustomer && e.Detail != m.ID {
				t.Errorf("message event detail %q, want %s", e.Detail, m.ID)
			}
		case casebook.CaseEventAttachment:
			if e.Detail != "trace.log" {
				t.Errorf("attachment event detail %q", e.Detail)
			}
		case casebook.CaseEventAuthExpired:
			if e.ActorRealm == casebook.RealmCustomer || e.ActorRealm == casebook.RealmEngineer {
				t.Errorf("expiry recorded as %s", e.ActorRealm)
			}
		case casebook.CaseEventUrged:
			if e.Detail != "please hurry" || casebook.CaseEventText(e, "en-us") != "Urged the case: please hurry" {
				t.Errorf("urge event %+v: operate_desc must be its detail", e)
			}
		}
	}

	// Paging, and visibility: another account, another group, a user's
	// own view.
	page, total, err := d.s.CaseLog(d.ctx, d.alice, "", c.ID, 3, 2)
	wantOK(t, err)
	if total != len(want) || len(page) != 2 || page[0].Kind != want[3] || page[1].Kind != want[4] {
		t.Errorf("page (3, 2): total %d, %d events", total, len(page))
	}
	_, _, err = d.s.CaseLog(d.ctx, d.gina, "", c.ID, 0, 10)
	wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	_, _, err = d.s.CaseLog(d.ctx, d.carol, "", c.ID, 0, 10)
	wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	_, _, err = d.s.CaseLog(d.ctx, d.alice, "", c.ID, 0, casebook.MaxPageLimit+1)
	wantErr(t, err, casebook.EINVALID, "")
}

// TestCaseLogRolledBack: a change that fails leaves no event behind.
func TestCaseLogRolledBack(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "rollback")
	before := d.caseKinds(d.alice, c.ID)
	// The relation cap fails after nothing was written; a duplicate fails
	// inside the transaction after the first relation was inserted.
	other := d.newCase(d.alice, "other")
	wantErr(t, d.s.CreateRelations(d.ctx, d.alice, "", c.ID, []string{other.ID, "no-such-case"}), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	if got := d.caseKinds(d.alice, c.ID); !slices.Equal(got, before) {
		t.Fatalf("after a failed change: %v, want %v", got, before)
	}
}

// TestNewMessages: one poll over several tickets, the cursor, and a ticket
// outside the caller's view refusing the whole poll.
func TestNewMessages(t *testing.T) {
	d := newDesk(t)
	c1 := d.newCase(d.alice, "one")
	d.clock.Advance(time.Millisecond)
	c2 := d.newCase(d.alice, "two")
	d.clock.Advance(casebook.FeedSettle + time.Millisecond)

	feed, err := d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, casebook.FeedCursor{})
	wantOK(t, err)
	if len(feed.Messages) != 2 || feed.Messages[0].CaseID != c1.ID || feed.Messages[1].CaseID != c2.ID || len(feed.Cases) != 2 {
		t.Fatalf("first poll: %d messages, %d cases", len(feed.Messages), len(feed.Cases))
	}
	cursor := feed.Cursor
	// Nothing new: the same cursor back.
	feed, err = d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, cursor)
	wantOK(t, err)
	if len(feed.Messages) != 0 || feed.Cursor != cursor {
		t.Fatalf("idle poll: %d messages, cursor %v (was %v)", len(feed.Messages), feed.Cursor, cursor)
	}
	// Two messages in the same millisecond are both delivered, once their
	// millisecond has settled.
	d.clock.Advance(time.Millisecond)
	_, err = d.s.Reply(d.ctx, d.eng1, c2.ID, "first")
	wantOK(t, err)
	_, err = d.s.CreateMessage(d.ctx, d.alice, "", c1.ID, "second", nil)
	wantOK(t, err)
	feed, err = d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, cursor)
	wantOK(t, err)
	if len(feed.Messages) != 0 {
		t.Fatalf("unsettled messages delivered: %d", len(feed.Messages))
	}
	d.clock.Advance(casebook.FeedSettle + time.Millisecond)
	feed, err = d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, cursor)
	wantOK(t, err)
	if len(feed.Messages) != 2 {
		t.Fatalf("after two messages: %d", len(feed.Messages))
	}
	// The cursor survives its text form.
	parsed, err := casebook.ParseFeedCursor("last_message_time_id", feed.Cursor.String())
	wantOK(t, err)
	if !parsed.At.Equal(feed.Cursor.At) || parsed.ID != feed.Cursor.ID {
		t.Fatalf("cursor %v read back as %v", feed.Cursor, parsed)
	}
	again, err := d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, parsed)
	wantOK(t, err)
	if len(again.Messages) != 0 {
		t.Fatalf("poll from the parsed cursor: %d messages", len(again.Messages))
	}

	// More than one answer's worth comes in pages.
	for i := 0; i < casebook.MaxFeedMessages+5; i++ {
		_, err := d.s.Reply(d.ctx, d.eng1, c2.ID, fmt.Sprint("bulk ", i))
		wantOK(t, err)
	}
	d.clock.Advance(casebook.FeedSettle + time.Millisecond)
	page, err := d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, parsed)
	wantOK(t, err)
	rest, err := d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, c2.ID}, page.Cursor)
	wantOK(t, err)
	if len(page.Messages) != casebook.MaxFeedMessages || len(rest.Messages) != 5 {
		t.Fatalf("pages of %d and %d, want %d and 5", len(page.Messages), len(rest.Messages), casebook.MaxFeedMessages)
	}

	// Visibility: another account's ticket, another user's ticket outside
	// the group named, a missing one, all refuse the whole poll the same way.
	foreign := d.newCase(d.gina, "foreign")
	carols := d.newCase(d.carol, "carol's")
	for _, id := range []string{foreign.ID, carols.ID, "CS-no-such-case"} {
		_, err := d.s.NewMessages(d.ctx, d.alice, "", []string{c1.ID, id}, casebook.FeedCursor{})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
		_, err = d.s.UnreadCounts(d.ctx, d.alice, "", []string{id, c1.ID})
		wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	}
	// Bounds: 1..MaxFeedCaseIDs tickets.
	_, err = d.s.NewMessages(d.ctx, d.alice, "", nil, casebook.FeedCursor{})
	wantErr(t, err, casebook.EINVALID, "")
	many := make([]string, casebook.MaxFeedCaseIDs+1)
	for i := range many {
		many[i] = c1.ID
	}
	_, err = d.s.NewMessages(d.ctx, d.alice, "", many, casebook.FeedCursor{})
	wantErr(t, err, casebook.EINVALID, "")
	_, err = d.s.NewMessages(d.ctx, d.alice, "", many[:casebook.MaxFeedCaseIDs], casebook.FeedCursor{})
	wantOK(t, err)
}

// TestUnreadAndMarkRead: per-user read markers.
func TestUnreadAndMarkRead(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "unread")
	unread := func(p *casebook.Principal, group string) int {
		t.Helper()
		states, err := d.s.UnreadCounts(d.ctx, p, group, []string{c.ID})
		wantOK(t, err)
		return states[0].Unread
	}
	if n := unread(d.alice, ""); n != 0 {
		t.Fatalf("own description counted as unread: %d", n)
	}
	for i := 0; i < 3; i++ {
		_, err := d.s.Reply(d.ctx, d.eng1, c.ID, "reply")
		wantOK(t, err)
	}
	if n := unread(d.alice, ""); n != 3 {
		t.Fatalf("alice unread = %d, want 3", n)
	}
	// bob (same group) sees alice's description and the replies as unread.
	if n := unread(d.bob, d.ops); n != 4 {
		t.Fatalf("bob unread = %d, want 4", n)
	}
	wantOK(t, d.s.MarkRead(d.ctx, d.alice, "", c.ID))
	if n := unread(d.alice, ""); n != 0 {
		t.Fatalf("after MarkRead alice unread = %d", n)
	}
	if n := unread(d.bob, d.ops); n != 4 {
		t.Fatalf("alice's marker moved bob's: %d", n)
	}
	d.clock.Advance(time.Millisecond)
	_, err := d.s.Reply(d.ctx, d.eng1, c.ID, "one more")
	wantOK(t, err)
	if n := unread(d.alice, ""); n != 1 {
		t.Fatalf("after a new reply alice unread = %d, want 1", n)
	}
	wantErr(t, d.s.MarkRead(d.ctx, d.gina, "", c.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	wantErr(t, d.s.MarkRead(d.ctx, d.carol, "", c.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
}

// TestOlderMessages: scrolling back from a time, the type at the boundary.
func TestOlderMessages(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "older")
	d.clock.Advance(time.Second)
	_, err := d.s.Reply(d.ctx, d.eng1, c.ID, "engineer")
	wantOK(t, err)
	m, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "customer, same ms", nil)
	wantOK(t, err)
	// The caller has the customer message at m.CreatedAt: the engineer's
	// of that millisecond and the description are older.
	msgs, err := d.s.OlderMessages(d.ctx, d.alice, "", c.ID, m.CreatedAt, casebook.MessageFromCustomer, 10)
	wantOK(t, err)
	if len(msgs) != 2 || msgs[0].Content != "older" || msgs[1].Content != "engineer" {
		t.Fatalf("older than the customer message: %d messages", len(msgs))
	}
	msgs, err = d.s.OlderMessages(d.ctx, d.alice, "", c.ID, m.CreatedAt, casebook.MessageFromEngineer, 1)
	wantOK(t, err)
	if len(msgs) != 1 || msgs[0].Content != "customer, same ms" {
		t.Fatalf("limit 1 below the engineer's: %+v", msgs)
	}
	_, err = d.s.OlderMessages(d.ctx, d.alice, "", c.ID, m.CreatedAt, 2, 10)
	wantErr(t, err, casebook.EINVALID, "")
	_, err = d.s.OlderMessages(d.ctx, d.alice, "", c.ID, m.CreatedAt, 0, casebook.MaxPageLimit+1)
	wantErr(t, err, casebook.EINVALID, "")
	_, err = d.s.OlderMessages(d.ctx, d.gina, "", c.ID, m.CreatedAt, 0, 10)
	wantErr(t, err, casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
}

// storedMessageIDs returns the ids of every stored message of the ticket,
// bypassing the Service.
func (d *deskFixture) storedMessages(c *casebook.Case) []*casebook.Message {
	d.t.Helper()
	var msgs []*casebook.Message
	err := d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		var err error
		msgs, _, err = tx.FindMessages(d.ctx, casebook.MessageFilter{AccountID: c.AccountID, CaseID: c.ID, Limit: casebook.MaxPageLimit})
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return msgs
}

// TestRevokeMessage: one's own message, within the window (at its bound
// and just past it), destroyed in the store with its attachment.
func TestRevokeMessage(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "revoke")
	d.clock.Advance(time.Millisecond)
	att := d.upload(d.alice, "secret.txt", casebook.AccessoryFromMessage)
	m, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "my password is hunter2", []string{att.ID})
	wantOK(t, err)

	// Others cannot: bob in the group, the master, another account, an engineer's message.
	wantErr(t, d.s.RevokeMessage(d.ctx, d.bob, d.ops, c.ID, m.ID), casebook.ENOTFOUND, "")
	wantErr(t, d.s.RevokeMessage(d.ctx, d.master, "", c.ID, m.ID), casebook.ENOTFOUND, "")
	wantErr(t, d.s.RevokeMessage(d.ctx, d.gina, "", c.ID, m.ID), casebook.ENOTFOUND, casebook.ReasonCaseNotFound)
	reply, err := d.s.Reply(d.ctx, d.eng1, c.ID, "engineer")
	wantOK(t, err)
	wantErr(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, reply.ID), casebook.ENOTFOUND, "")
	// The first message is the description.
	first := d.storedMessages(c)[0]
	wantErr(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, first.ID), casebook.ECONFLICT, "")

	// At the bound of the window it still works.
	d.clock.Advance(casebook.MessageRevokeWindow)
	wantOK(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, m.ID))
	for _, s := range d.storedMessages(c) {
		if s.ID == m.ID || strings.Contains(s.Content, "hunter2") {
			t.Fatalf("the withdrawn message is still stored: %+v", s)
		}
	}
	err = d.s.TestStore().Read(d.ctx, func(tx casebook.Tx) error {
		_, err := tx.FindAccessoryByID(d.ctx, att.ID)
		return err
	})
	wantErr(t, err, casebook.ENOTFOUND, "")
	if _, err := d.s.OpenBlob(d.ctx, att); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Errorf("the attachment's content is still stored: %v", err)
	}
	if kinds := d.caseKinds(d.alice, c.ID); kinds[len(kinds)-1] != casebook.CaseEventMessageWithdrawn {
		t.Errorf("history ends with %v, want the withdrawal", kinds)
	}
	wantErr(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, m.ID), casebook.ENOTFOUND, "")

	// Just past the window: refused, and nothing changes.
	late, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "late", nil)
	wantOK(t, err)
	d.clock.Advance(casebook.MessageRevokeWindow + time.Millisecond)
	wantErr(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, late.ID), casebook.ECONFLICT, "")
	if n := len(d.storedMessages(c)); n != 3 {
		t.Fatalf("%d messages stored, want 3", n)
	}

	// By its create_time in epoch milliseconds (the SDK's only handle).
	d.clock.Advance(time.Millisecond)
	byTime, err := d.s.CreateMessage(d.ctx, d.alice, "", c.ID, "by time", nil)
	wantOK(t, err)
	wantOK(t, d.s.RevokeMessage(d.ctx, d.alice, "", c.ID, fmt.Sprint(byTime.CreatedAt.UnixMilli())))
	if n := len(d.storedMessages(c)); n != 3 {
		t.Fatalf("%d messages stored after revoking by time, want 3", n)
	}
}

// TestCaseLogRating: a rating, with close or CreateScores, is in the history.
func TestCaseLogRating(t *testing.T) {
	d := newDesk(t)
	dims, err := d.s.ListSatisfactionDimensions(d.ctx)
	wantOK(t, err)
	if len(dims) == 0 {
		t.Fatal("no satisfaction dimensions shipped")
	}
	score := []casebook.ScoreInput{{DimensionID: dims[0].ID, Value: 1}}

	closed := d.newCase(d.alice, "closed with scores")
	wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", closed.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose, Scores: score}))
	if got := d.caseKinds(d.alice, closed.ID); !slices.Contains(got, casebook.CaseEventEvaluated) {
		t.Errorf("close with scores: history %v has no rating", got)
	}

	rated := d.newCase(d.alice, "rated later")
	wantOK(t, d.s.CaseAction(d.ctx, d.alice, "", rated.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}))
	if got := d.caseKinds(d.alice, rated.ID); slices.Contains(got, casebook.CaseEventEvaluated) {
		t.Errorf("close without scores: history %v has a rating", got)
	}
	wantOK(t, d.s.RateCase(d.ctx, d.alice, "", rated.ID, "", score))
	if got := d.caseKinds(d.alice, rated.ID); got[len(got)-1] != casebook.CaseEventEvaluated {
		t.Errorf("CreateScores: history %v does not end with the rating", got)
	}
}

// TestCaseLogLabelsAndContact: labels put on and taken off a ticket, and a
// contact change, are in its history, without the label's name or the
// contact's values.
func TestCaseLogLabelsAndContact(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "labelled")
	l, err := d.s.CreateLabel(d.ctx, d.alice, "secret-project-name", "#112233")
	wantOK(t, err)
	wantOK(t, d.s.AddCaseLabels(d.ctx, d.alice, "", c.ID, []int64{l.ID}))
	wantOK(t, d.s.AddCaseLabels(d.ctx, d.alice, "", c.ID, []int64{l.ID})) // already on: no second event
	wantOK(t, d.s.RemoveCaseLabels(d.ctx, d.alice, "", c.ID, []int64{l.ID}))
	mail := "new@example.com"
	_, err = d.s.UpdateCaseContact(d.ctx, d.alice, "", c.ID, casebook.ContactUpdate{RemindMail: &mail})
	wantOK(t, err)

	want := []int{casebook.CaseEventCreated, casebook.CaseEventLabelAdded, casebook.CaseEventLabelRemoved, casebook.CaseEventContactChanged}
	if got := d.caseKinds(d.alice, c.ID); !slices.Equal(got, want) {
		t.Fatalf("history kinds\n got %v\nwant %v", got, want)
	}
	events, _, err := d.s.CaseLog(d.ctx, d.master, "", c.ID, 0, casebook.MaxPageLimit)
	wantOK(t, err)
	for _, e := range events {
		if strings.Contains(e.Detail, "secret-project-name") || strings.Contains(e.Detail, mail) {
			t.Errorf("event %d shows %q", e.Kind, e.Detail)
		}
	}
	if last := events[len(events)-1]; last.Detail != "remind_mail" {
		t.Errorf("contact change detail %q, want the field's name", last.Detail)
	}
}

// TestCaseEventsTicketOrder: a Write that records events of several
// tickets appends them ticket by ticket, each ticket's in the order
// recorded, so that concurrent writers take the tickets' event counts in
// one order (see journalStore.Write).
func TestCaseEventsTicketOrder(t *testing.T) {
	s, _ := MustOpenService(t)
	ctx := t.Context()
	event := func(caseID, detail string) casebook.CaseEvent {
		return casebook.CaseEvent{AccountID: "acc", CaseID: caseID, Kind: casebook.CaseEventMessage, ActorRealm: casebook.RealmCustomer, Detail: detail}
	}
	if err := s.TestLogCases(ctx, []casebook.CaseEvent{event("CS2", "b1"), event("CS1", "a1"), event("CS2", "b2"), event("CS1", "a2")}); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := s.TestStore().Read(ctx, func(tx casebook.Tx) error {
		for _, id := range []string{"CS1", "CS2"} {
			events, _, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: "acc", CaseID: id, Limit: 10})
			if err != nil {
				return err
			}
			for _, e := range events {
				got = append(got, fmt.Sprintf("%d %s", e.ID, e.Detail))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 a1", "2 a2", "3 b1", "4 b2"}; !slices.Equal(got, want) {
		t.Errorf("events (id detail) = %q, want %q", got, want)
	}
}
