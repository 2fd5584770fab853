package casebook_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// outbox returns every event in the outbox, oldest first, and removes
// them, so the next call returns only newer ones.
func (d *deskFixture) outbox() []*casebook.Event {
	d.t.Helper()
	var events []*casebook.Event
	err := d.s.TestStore().Write(d.ctx, func(tx casebook.Tx) error {
		var err error
		if events, err = tx.ClaimEvents(d.ctx, 0); err != nil {
			return err
		}
		seqs := make([]int64, len(events))
		for i, e := range events {
			seqs[i] = e.Seq
		}
		return tx.DeleteEvents(d.ctx, seqs)
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return events
}

// wantEvents fails unless the outbox's new events have exactly these types,
// and returns them.
func (d *deskFixture) wantEvents(types ...string) []*casebook.Event {
	d.t.Helper()
	events := d.outbox()
	var got []string
	for _, e := range events {
		got = append(got, e.Type)
	}
	if !slices.Equal(got, types) {
		d.t.Fatalf("events = %v, want %v", got, types)
	}
	return events
}

func TestEvents(t *testing.T) {
	d := newDesk(t)
	ctx := d.ctx

	att := d.upload(d.alice, "log.txt", "incident")
	c, err := d.s.CreateCase(ctx, d.alice, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "disk full", AccessoryIDs: []string{att.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ev := d.wantEvents(casebook.EventCaseCreated, casebook.EventAccessoryAdded)
	if e := ev[0]; e.AccountID != d.alice.AccountID || e.CaseID != c.ID || e.ActorID != d.alice.UserID || e.ActorRealm != casebook.RealmCustomer || e.ID == "" {
		t.Fatalf("case.created = %+v", e)
	}
	if ev[1].Data["accessory_id"] != att.ID {
		t.Fatalf("accessory.added data = %v", ev[1].Data)
	}

	if _, err := d.s.Reply(ctx, d.eng1, c.ID, "looking"); err != nil {
		t.Fatal(err)
	}
	ev = d.wantEvents(casebook.EventCaseStatusChanged, casebook.EventMessageAdded)
	if ev[0].Data["from_status"] != "0" || ev[0].Data["to_status"] != "1" || ev[0].ActorRealm != casebook.RealmEngineer {
		t.Fatalf("acceptance event = %+v", ev[0])
	}

	d.setCaseStatus(d.alice, c.ID, casebook.CaseStatusPendingFeedback)
	d.wantEvents(casebook.EventCaseStatusChanged)
	if _, err := d.s.SetCaseStatus(ctx, d.eng1, c.ID, casebook.CaseStatusPendingFeedback); err != nil {
		t.Fatal(err)
	}
	d.wantEvents() // no change, no event

	if _, err := d.s.CreateMessage(ctx, d.alice, "", c.ID, "here you go", nil); err != nil {
		t.Fatal(err)
	}
	ev = d.wantEvents(casebook.EventMessageAdded, casebook.EventCaseStatusChanged)
	if ev[1].Data["from_status"] != "17" || ev[1].Data["to_status"] != "1" {
		t.Fatalf("status event after reply = %v", ev[1].Data)
	}

	if err := d.s.CaseAction(ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionPress}); err != nil {
		t.Fatal(err)
	}
	d.wantEvents(casebook.EventCaseUrged)

	a := d.request(d.eng1, c.ID)
	ev = d.wantEvents(casebook.EventAuthorizationRequested)
	if ev[0].AuthorizationID != a.ID || ev[0].CaseID != c.ID || ev[0].Data["engineer_id"] != d.eng1.UserID {
		t.Fatalf("authorization.requested = %+v", ev[0])
	}
	d.grant(d.alice, a, 0, time.Hour)
	d.wantEvents(casebook.EventAuthorizationConfirmed)
	if _, err := d.s.ReadCredentials(ctx, d.eng1, a.ID); err != nil {
		t.Fatal(err)
	}
	d.wantEvents(casebook.EventAuthorizationCredsRead)
	if err := d.s.WithdrawAuthorization(ctx, d.eng1, a.ID); err != nil {
		t.Fatal(err)
	}
	d.wantEvents(casebook.EventAuthorizationWithdrawn)

	r := d.request(d.eng1, c.ID)
	d.wantEvents(casebook.EventAuthorizationRequested)
	if err := d.s.RejectAuthorization(ctx, d.alice, "", r.ID, "no"); err != nil {
		t.Fatal(err)
	}
	d.wantEvents(casebook.EventAuthorizationRejected)

	x := d.request(d.eng1, c.ID)
	d.wantEvents(casebook.EventAuthorizationRequested)
	d.grant(d.alice, x, 0, time.Minute)
	d.wantEvents(casebook.EventAuthorizationConfirmed)
	d.clock.Advance(2 * time.Minute)
	if n, err := d.s.ExpireGrants(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireGrants = %d, %v", n, err)
	}
	ev = d.wantEvents(casebook.EventAuthorizationExpired)
	if ev[0].ActorID != "system" {
		t.Fatalf("expiry actor = %q", ev[0].ActorID)
	}

	y := d.request(d.eng1, c.ID)
	d.wantEvents(casebook.EventAuthorizationRequested)
	if err := d.s.CancelAuthorization(ctx, d.alice, "", y.ID); err != nil {
		t.Fatal(err)
	}
	d.wantEvents(casebook.EventAuthorizationCancelled)

	// Ending the ticket ends its open requests, each with its event.
	z := d.request(d.eng1, c.ID)
	d.wantEvents(casebook.EventAuthorizationRequested)
	if err := d.s.CaseAction(ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}); err != nil {
		t.Fatal(err)
	}
	ev = d.wantEvents(casebook.EventCaseStatusChanged, casebook.EventAuthorizationWithdrawn)
	if ev[1].AuthorizationID != z.ID {
		t.Fatalf("withdrawn event of %s, want %s", ev[1].AuthorizationID, z.ID)
	}

	// A refused change writes no event.
	if err := d.s.CaseAction(ctx, d.alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionPress}); err == nil {
		t.Fatal("press on a closed ticket succeeded")
	}
	d.wantEvents()
}

// TestEventsCarryNoSecrets: the password of a grant appears in no event,
// whatever happened to the grant.
func TestEventsCarryNoSecrets(t *testing.T) {
	d := newDesk(t)
	c := d.newCase(d.alice, "needs access")
	a := d.request(d.eng1, c.ID)
	d.grant(d.alice, a, 0, time.Hour)
	if _, err := d.s.ReadCredentials(d.ctx, d.eng1, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.s.CancelAuthorization(d.ctx, d.alice, "", a.ID); err != nil {
		t.Fatal(err)
	}
	events := d.outbox()
	if len(events) < 5 {
		t.Fatalf("only %d events", len(events))
	}
	b, _ := json.Marshal(events)
	if strings.Contains(string(b), testPassword) || strings.Contains(string(b), "master-password") {
		t.Fatalf("an event carries a secret: %s", b)
	}
}

// BenchmarkEventWriting measures what the outbox adds to the writes that
// cause events, at the Service (no HTTP around it, so the share is the
// largest it can be): a ticket opened (one event) and an engineer's reply
// on it (one event). Compare "events" with "no-events"; figures in
// docs/benchmarks.md.
func BenchmarkEventWriting(b *testing.B) {
	for _, mode := range []string{"no-events", "events"} {
		b.Run(mode, func(b *testing.B) {
			s, _ := MustOpenService(b)
			s.TestSetEventsOff(mode == "no-events")
			ctx := b.Context()
			_, u, err := s.CreateAccount(ctx, "acme", "master", "master-password-1")
			if err != nil {
				b.Fatal(err)
			}
			p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			e, err := s.CreateEngineer(ctx, "eng", "engineer-password-1")
			if err != nil {
				b.Fatal(err)
			}
			eng, _, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, e.ID)
			if err != nil {
				b.Fatal(err)
			}
			c, err := s.CreateCase(ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.TakeCase(ctx, eng, c.ID); err != nil {
				b.Fatal(err)
			}
			b.Run("CreateCase", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.CreateCase(ctx, p, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "bench"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Reply", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Reply(ctx, eng, c.ID, "an answer"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
