package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// eventCountsDrift counts the tickets whose live event count (migration
// 0015) differs from the events the history holds.
const eventCountsDrift = `SELECT COUNT(*) FROM (SELECT account_id, case_id, COUNT(*) AS n FROM case_events GROUP BY account_id, case_id) e
	FULL JOIN case_event_counts k ON k.account_id = e.account_id AND k.case_id = e.case_id
	WHERE COALESCE(k.n, 0) <> COALESCE(e.n, 0)`

// testCaseEventCounts checks the total of a ticket's history page, which
// comes from a live count (migration 0015), against the events the page
// lists, as events are appended one and several a transaction, across
// tickets and accounts, and in a transaction that rolls back.
func testCaseEventCounts(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	type ticket struct{ account, id string }
	tickets := []ticket{{"acc-a", "CS1"}, {"acc-a", "CS2"}, {"acc-b", "CS1"}}
	appendEvents := func(tx casebook.Tx, k ticket, n int) error {
		for range n {
			if err := tx.AppendCaseEvent(ctx, &casebook.CaseEvent{AccountID: k.account, CaseID: k.id,
				Kind: casebook.CaseEventMessage, ActorRealm: casebook.RealmCustomer, ActorID: "u1", At: at(0)}); err != nil {
				return err
			}
		}
		return nil
	}
	check := func(step string, want ...int) {
		t.Helper()
		read(t, s, func(tx casebook.Tx) error {
			for i, k := range tickets {
				all, _, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: k.account, CaseID: k.id, Limit: casebook.MaxPageLimit})
				if err != nil {
					return err
				}
				// A one-event page leaves the rest to the count.
				page, total, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: k.account, CaseID: k.id, Limit: 1})
				if err != nil {
					return err
				}
				if len(all) != want[i] || total != want[i] || len(page) != min(1, want[i]) {
					t.Errorf("%s: %s/%s: %d events, total %d (page %d); want %d", step, k.account, k.id, len(all), total, len(page), want[i])
				}
			}
			return nil
		})
		if x, ok := s.(RawSQL); ok {
			if n, err := x.QueryInt(ctx, eventCountsDrift); err != nil || n != 0 {
				t.Errorf("%s: %d tickets' counts differ from their events (%v)", step, n, err)
			}
		}
	}
	check("empty", 0, 0, 0)
	write(t, s, func(tx casebook.Tx) error {
		if err := appendEvents(tx, tickets[0], 3); err != nil {
			return err
		}
		return appendEvents(tx, tickets[1], 1)
	})
	check("several in one transaction", 3, 1, 0)
	for range 2 {
		write(t, s, func(tx casebook.Tx) error { return appendEvents(tx, tickets[2], 1) })
	}
	write(t, s, func(tx casebook.Tx) error { return appendEvents(tx, tickets[0], 1) })
	check("one a transaction", 4, 1, 2)
	rollback := errors.New("roll back")
	err := s.Write(ctx, func(tx casebook.Tx) error {
		if err := appendEvents(tx, tickets[0], 2); err != nil {
			return err
		}
		if err := appendEvents(tx, tickets[1], 1); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("write: %v, want the rollback", err)
	}
	check("rolled back", 4, 1, 2)
	if x, ok := s.(RawSQL); ok {
		if err := x.ExecSQL(ctx, "DELETE FROM case_events"); err == nil {
			t.Errorf("DELETE FROM case_events succeeded, want the schema to refuse it")
		}
		check("delete refused", 4, 1, 2)
	}
}

// CheckCaseEventCounts plays a ticket's life through s (a Service over db)
// and checks after each step that the total of its history page, from the
// live count of migration 0015, is the number of events the history holds;
// then that the migration's backfill, run again on an emptied count
// table, rebuilds the same counts.
func CheckCaseEventCounts(t *testing.T, s *casebook.Service, db RawSQL, migration []byte) {
	ctx := context.Background()
	now := time.UnixMilli(1_700_000_000_000).UTC()
	s.Now = func() time.Time { return now }
	tick := func() { now = now.Add(time.Second) }

	_, master, err := s.CreateAccount(ctx, "acme", "root", "master-password")
	must(t, err)
	p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, master.ID)
	must(t, err)
	eng, err := s.CreateEngineer(ctx, "eve", "engineer-password")
	must(t, err)
	e, _, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, eng.ID)
	must(t, err)

	var ids []string
	check := func(step string) {
		t.Helper()
		for _, id := range ids {
			all, _, err := s.CaseLog(ctx, p, "", id, 0, casebook.MaxPageLimit)
			must(t, err)
			_, total, err := s.CaseLog(ctx, p, "", id, 0, 1)
			must(t, err)
			if total != len(all) || len(all) == 0 {
				t.Errorf("%s: ticket %s: total %d, %d events", step, id, total, len(all))
			}
		}
		if n, err := db.QueryInt(ctx, eventCountsDrift); err != nil || n != 0 {
			t.Errorf("%s: %d tickets' counts differ from their events (%v)", step, n, err)
		}
	}
	for _, d := range []string{"first", "second"} {
		c, err := s.CreateCase(ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: d, SourceID: casebook.SourceAPI})
		must(t, err)
		ids = append(ids, c.ID)
		tick()
	}
	check("created")
	must(t, s.CreateRelations(ctx, p, "", ids[0], []string{ids[1]}))
	tick()
	check("related")
	_, err = s.Reply(ctx, e, ids[0], "hello")
	must(t, err)
	tick()
	m, err := s.CreateMessage(ctx, p, "", ids[0], "hi", nil)
	must(t, err)
	check("messages")
	must(t, s.RevokeMessage(ctx, p, "", ids[0], m.ID))
	tick()
	check("message withdrawn")
	l, err := s.CreateLabel(ctx, p, "red", "#FF0000")
	must(t, err)
	must(t, s.AddCaseLabels(ctx, p, "", ids[0], []int64{l.ID}))
	tick()
	must(t, s.RemoveCaseLabels(ctx, p, "", ids[0], []int64{l.ID}))
	tick()
	check("labelled and unlabelled")
	request := casebook.AuthorizationRequest{ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1", Describe: "access",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-1", InstanceName: "web", RegionID: "r", Port: 22, Account: "root"}}}
	a, err := s.RequestAuthorization(ctx, e, ids[0], request)
	must(t, err)
	tick()
	start, end := now, now.Add(time.Hour)
	must(t, s.ConfirmAuthorization(ctx, p, "", a.ID, casebook.ConfirmInput{EffectiveAt: &start, ExpireAt: &end,
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "pw"}}}))
	tick()
	_, err = s.ReadCredentials(ctx, e, a.ID)
	must(t, err)
	tick()
	must(t, s.CancelAuthorization(ctx, p, "", a.ID))
	tick()
	check("authorization")
	must(t, s.CaseAction(ctx, p, "", ids[1], casebook.CaseActionInput{Action: casebook.CaseActionCancel}))
	tick()
	check("cancelled")

	backfill := string(migration[strings.Index(string(migration), "INSERT INTO case_event_counts"):])
	backfill = backfill[:strings.Index(backfill, ";")+1]
	for _, q := range []string{"DELETE FROM case_event_counts", backfill} {
		must(t, db.ExecSQL(ctx, q))
	}
	check("backfilled")
}
