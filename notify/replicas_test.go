package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// TestTwoReplicasOnPostgres: two Services on one PostgreSQL database (two
// replicas), each with its worker, share one outbox of 1000 events: every
// event reaches the receiver, and without a crash none twice.
func TestTwoReplicasOnPostgres(t *testing.T) {
	dsn := postgresDatabase(t)
	store1, store2 := openPostgres(t, dsn), openPostgres(t, dsn)
	s1, s2 := newService(t, store1), newService(t, store2)
	ctx := context.Background()
	newDesk(t, s1, "acme")
	rcv := newReceiver(t, nil)
	hook, _, err := s1.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := s1.Webhooks(ctx, "acme")
	if err != nil || len(accounts) != 1 {
		t.Fatalf("webhooks %v, %v", accounts, err)
	}
	accountID := accounts[0].AccountID

	startWorker(t, s1, nil)
	startWorker(t, s2, nil)
	const n = 1000
	want := map[string]bool{}
	for batch := range 10 {
		// Written while the workers run, in ten transactions of 100.
		err := store1.Write(ctx, func(tx casebook.Tx) error {
			for i := range n / 10 {
				e := &casebook.Event{ID: casebook.NewEventID(), Type: casebook.EventCaseUrged, At: time.Now().UTC().Truncate(time.Millisecond),
					AccountID: accountID, CaseID: fmt.Sprintf("CS%04d", batch*100+i), ActorRealm: casebook.RealmCustomer, ActorID: "u"}
				if err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
				want[e.ID] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "every delivery recorded as delivered", func() bool {
		ds, err := s2.WebhookDeliveries(ctx, "acme", hook.ID, casebook.DeliveryDelivered, 1000)
		return err == nil && len(ds) == n
	})
	seen := map[string]int{}
	for _, r := range rcv.all() {
		seen[r.Header.Get("Casebook-Event-Id")]++
	}
	duplicates := 0
	for id, c := range seen {
		if !want[id] {
			t.Fatalf("unexpected event %s", id)
		}
		duplicates += c - 1
	}
	t.Logf("%d events, %d received distinct, %d duplicates", n, len(seen), duplicates)
	if len(seen) != n {
		t.Fatalf("%d distinct events received, want %d", len(seen), n)
	}
	if duplicates != 0 {
		t.Fatalf("%d duplicates without a crash", duplicates)
	}
}
