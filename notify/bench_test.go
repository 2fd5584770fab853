package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// BenchmarkWorkerThroughput: b.N events waiting in the outbox, one
// subscription to a local receiver (httptest on loopback), one worker with
// the default concurrency: the time from starting the worker until every
// delivery is recorded as delivered. The metric webhooks/s is the goal's
// figure (at least 500); docs/benchmarks.md has the numbers.
func BenchmarkWorkerThroughput(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkWorker(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkWorker(b, openPostgres(b, postgresDatabase(b))) })
}

func benchmarkWorker(b *testing.B, store casebook.Store) {
	ctx := context.Background()
	s := newService(b, store)
	newDesk(b, s, "acme")
	rcv := newReceiver(b, nil)
	hook, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: rcv.URL})
	if err != nil {
		b.Fatal(err)
	}
	const chunk = 500
	for i := 0; i < b.N; i += chunk {
		err := store.Write(ctx, func(tx casebook.Tx) error {
			for j := i; j < min(i+chunk, b.N); j++ {
				e := &casebook.Event{ID: casebook.NewEventID(), Type: casebook.EventMessageAdded, At: time.Now().UTC().Truncate(time.Millisecond),
					AccountID: hook.AccountID, CaseID: "CS1", ActorRealm: casebook.RealmEngineer, ActorID: "e1", ActorName: "eng",
					Data: map[string]string{"message_id": "MS1"}}
				if err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	w := &notify.Worker{Service: s, AllowPrivate: true, Poll: time.Millisecond}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(wctx) }()
	for received := 0; received < b.N; received++ {
		<-rcv.got
	}
	// Every delivery recorded too, not only sent.
	for {
		ds, err := s.WebhookDeliveries(ctx, "acme", hook.ID, casebook.DeliveryPending, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "webhooks/s")
}
