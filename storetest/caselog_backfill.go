package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// CheckCaseLogBackfill checks migration 0010's backfill: it must rebuild,
// from the other tables, the history the Service writes live, for every
// kind it can know. A ticket's life is played through s (a Service over
// db); its live history is kept, the history table emptied (dropGuard
// drops the trigger that refuses it) and the backfill statement of the
// migration text run again; the two must agree on everything but the
// status changes, which no other table keeps.
func CheckCaseLogBackfill(t *testing.T, s *casebook.Service, db RawSQL, dropGuard string, migration []byte) {
	ctx := context.Background()
	now := time.UnixMilli(1_700_000_000_000).UTC()
	s.Now = func() time.Time { return now }
	tick := func() { now = now.Add(time.Second) } // one instant per change, as in life

	_, master, err := s.CreateAccount(ctx, "acme", "root", "master-password")
	must(t, err)
	p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, master.ID)
	must(t, err)
	eng, err := s.CreateEngineer(ctx, "eve", "engineer-password")
	must(t, err)
	e, _, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, eng.ID)
	must(t, err)

	att, err := s.UploadAccessory(ctx, p, casebook.UploadInput{FileName: "a.log", From: "incident", Size: 3}, strings.NewReader("abc"))
	must(t, err)
	tick()
	c, err := s.CreateCase(ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "backfill", SourceID: casebook.SourceAPI, AccessoryIDs: []string{att.ID}})
	must(t, err)
	tick()
	other, err := s.CreateCase(ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "other", SourceID: casebook.SourceAPI})
	must(t, err)
	tick()
	must(t, s.CreateRelations(ctx, p, "", c.ID, []string{other.ID}))
	tick()
	_, err = s.Reply(ctx, e, c.ID, "hello")
	must(t, err)
	tick()
	_, err = s.CreateMessage(ctx, p, "", c.ID, "hi", nil)
	must(t, err)
	tick()
	request := casebook.AuthorizationRequest{ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1", Describe: "access",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-1", InstanceName: "web", RegionID: "r", Port: 22, Account: "root"}}}
	a, err := s.RequestAuthorization(ctx, e, c.ID, request)
	must(t, err)
	tick()
	start, end := now, now.Add(time.Hour)
	must(t, s.ConfirmAuthorization(ctx, p, "", a.ID, casebook.ConfirmInput{EffectiveAt: &start, ExpireAt: &end,
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "pw"}}}))
	tick()
	_, err = s.ReadCredentials(ctx, e, a.ID)
	must(t, err)
	tick()
	b, err := s.RequestAuthorization(ctx, e, c.ID, request)
	must(t, err)
	tick()
	must(t, s.RejectAuthorization(ctx, p, "", b.ID, "no"))
	tick()
	w, err := s.RequestAuthorization(ctx, e, c.ID, request)
	must(t, err)
	tick()
	must(t, s.WithdrawAuthorization(ctx, e, w.ID))
	tick()
	must(t, s.CancelAuthorization(ctx, p, "", a.ID))
	tick()

	history := func() []casebook.CaseEvent {
		t.Helper()
		events, total, err := s.CaseLog(ctx, p, "", c.ID, 0, casebook.MaxPageLimit)
		must(t, err)
		if total != len(events) {
			t.Errorf("total %d, %d events", total, len(events))
		}
		var out []casebook.CaseEvent
		for _, e := range events {
			e.ID = 0
			out = append(out, *e)
		}
		return out
	}
	live := history()
	// Kept by no other table: the status changes.
	live = slices.DeleteFunc(live, func(e casebook.CaseEvent) bool { return e.Kind == casebook.CaseEventStatusChanged })

	backfill := string(migration[strings.Index(string(migration), "INSERT INTO case_events"):])
	for _, q := range []string{dropGuard, "DELETE FROM case_events", backfill} {
		must(t, db.ExecSQL(ctx, q))
	}
	rebuilt := history()
	if len(rebuilt) != len(live) {
		t.Fatalf("backfill: %d events, live: %d\nrebuilt %+v\nlive    %+v", len(rebuilt), len(live), rebuilt, live)
	}
	for i := range live {
		if rebuilt[i] != live[i] {
			t.Errorf("event %d:\nrebuilt %+v\nlive    %+v", i, rebuilt[i], live[i])
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
