package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func newEvent(accountID, typ string, d time.Duration) *casebook.Event {
	return &casebook.Event{ID: casebook.NewEventID(), Type: typ, At: at(d), AccountID: accountID, CaseID: "CS1",
		ActorRealm: casebook.RealmCustomer, ActorID: "u1", ActorName: "alice",
		Data: map[string]string{"from_status": "0", "to_status": "1"}}
}

func testOutbox(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	e1 := newEvent(f.A.ID, casebook.EventCaseCreated, 0)
	e1.Data = nil
	e2 := newEvent(f.A.ID, casebook.EventCaseStatusChanged, time.Second)
	e3 := newEvent(f.B.ID, casebook.EventAuthorizationRequested, 2*time.Second)
	e3.AuthorizationID = "AU1"
	write(t, s, func(tx casebook.Tx) error {
		for _, e := range []*casebook.Event{e1, e2, e3} {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if !(e1.Seq > 0 && e2.Seq > e1.Seq && e3.Seq > e2.Seq) {
		t.Fatalf("seqs not increasing: %d %d %d", e1.Seq, e2.Seq, e3.Seq)
	}

	t.Run("ClaimReadsBack", func(t *testing.T) {
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimEvents(ctx, 0)
			if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(got, []*casebook.Event{e1, e2, e3}) {
				t.Fatalf("ClaimEvents = %+v, want %+v", got, []*casebook.Event{e1, e2, e3})
			}
			return nil
		})
	})
	t.Run("RolledBack", func(t *testing.T) {
		lost := newEvent(f.A.ID, casebook.EventCaseUrged, 0)
		boom := errors.New("boom")
		err := s.Write(ctx, func(tx casebook.Tx) error {
			if err := tx.AppendEvent(ctx, lost); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v", err)
		}
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimEvents(ctx, 0)
			if err != nil || len(got) != 3 {
				t.Fatalf("after a rollback: %d events, %v", len(got), err)
			}
			return nil
		})
	})
	t.Run("ClaimAndDelete", func(t *testing.T) {
		write(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimEvents(ctx, 2)
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0].ID != e1.ID || got[1].ID != e2.ID {
				t.Fatalf("ClaimEvents(2) = %+v", got)
			}
			return tx.DeleteEvents(ctx, []int64{got[0].Seq, got[1].Seq})
		})
		write(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimEvents(ctx, 10)
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].ID != e3.ID {
				t.Fatalf("ClaimEvents after delete = %+v", got)
			}
			return tx.DeleteEvents(ctx, []int64{got[0].Seq})
		})
		read(t, s, func(tx casebook.Tx) error {
			if got, err := tx.ClaimEvents(ctx, 10); err != nil || len(got) != 0 {
				t.Fatalf("outbox not empty: %+v, %v", got, err)
			}
			return nil
		})
	})
}

// testConcurrentOutbox: two workers claiming events at the same time each
// get different ones and together get every one exactly once.
func testConcurrentOutbox(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	const n = 60
	want := map[string]bool{}
	write(t, s, func(tx casebook.Tx) error {
		for i := range n {
			e := newEvent("acc", casebook.EventCaseUrged, time.Duration(i)*time.Millisecond)
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			want[e.ID] = true
		}
		return nil
	})
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for {
				var batch []*casebook.Event
				err := s.Write(ctx, func(tx casebook.Tx) error {
					var err error
					if batch, err = tx.ClaimEvents(ctx, 7); err != nil {
						return err
					}
					time.Sleep(5 * time.Millisecond) // hold the rows while the other worker looks
					seqs := make([]int64, len(batch))
					for i, e := range batch {
						seqs[i] = e.Seq
					}
					return tx.DeleteEvents(ctx, seqs)
				})
				if err != nil {
					errs <- err
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, e := range batch {
					got[e.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	if len(got) != n {
		t.Fatalf("claimed %d distinct events, want %d", len(got), n)
	}
	for id, c := range got {
		if !want[id] || c != 1 {
			t.Fatalf("event %s claimed %d times", id, c)
		}
	}
}

func testWebhooks(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	w1 := &casebook.Webhook{ID: casebook.NewWebhookID(), AccountID: f.A.ID, URL: "https://hooks.example.com/a",
		SealedSecret: []byte{1, 2, 3}, CreatedAt: at(0)}
	w2 := &casebook.Webhook{ID: casebook.NewWebhookID(), AccountID: f.A.ID, URL: "https://hooks.example.com/b",
		EventTypes: []string{casebook.EventCaseCreated, casebook.EventMessageAdded}, SealedSecret: []byte{4}, CreatedAt: at(time.Second)}
	wb := &casebook.Webhook{ID: casebook.NewWebhookID(), AccountID: f.B.ID, URL: "https://hooks.example.com/c",
		SealedSecret: []byte{5}, CreatedAt: at(0)}
	e := newEvent(f.A.ID, casebook.EventCaseCreated, 0)
	write(t, s, func(tx casebook.Tx) error {
		for _, w := range []*casebook.Webhook{w1, w2, wb} {
			if err := tx.CreateWebhook(ctx, w); err != nil {
				return err
			}
		}
		return tx.AppendEvent(ctx, e)
	})
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindWebhooks(ctx, f.A.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, []*casebook.Webhook{w1, w2}) {
			t.Fatalf("FindWebhooks = %+v", got)
		}
		if got, err := tx.FindWebhook(ctx, f.A.ID, w2.ID); err != nil || !reflect.DeepEqual(got, w2) {
			t.Fatalf("FindWebhook = %+v, %v", got, err)
		}
		_, err = tx.FindWebhook(ctx, f.B.ID, w1.ID) // another account's id: as if it did not exist
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})

	d1 := &casebook.Delivery{WebhookID: w1.ID, AccountID: f.A.ID, EventID: e.ID, EventType: e.Type, Event: e,
		State: casebook.DeliveryPending, NextAt: at(time.Minute), CreatedAt: at(0), UpdatedAt: at(0)}
	d2 := &casebook.Delivery{WebhookID: w2.ID, AccountID: f.A.ID, EventID: e.ID, EventType: e.Type, Event: e,
		State: casebook.DeliveryPending, NextAt: at(0), CreatedAt: at(0), UpdatedAt: at(0)}
	write(t, s, func(tx casebook.Tx) error {
		for _, d := range []*casebook.Delivery{d1, d2} {
			if err := tx.CreateDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	t.Run("OncePerWebhook", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error {
			again := *d1
			return tx.CreateDelivery(ctx, &again)
		})
		wantCode(t, err, casebook.ECONFLICT)
	})
	t.Run("ClaimDue", func(t *testing.T) {
		write(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimDeliveries(ctx, at(30*time.Second), 10)
			if err != nil {
				return err
			} else if !reflect.DeepEqual(got, []*casebook.Delivery{d2}) {
				t.Fatalf("ClaimDeliveries = %+v, want d2", got)
			}
			got, err = tx.ClaimDeliveries(ctx, at(time.Minute), 10)
			if err != nil {
				return err
			} else if len(got) != 2 || got[0].ID != d2.ID || got[1].ID != d1.ID {
				t.Fatalf("ClaimDeliveries later = %+v", got)
			}
			return nil
		})
	})
	t.Run("Update", func(t *testing.T) {
		d2.State, d2.Attempts, d2.LastStatus, d2.UpdatedAt, d2.DeliveredAt = casebook.DeliveryDelivered, 1, 204, at(time.Second), ptr(at(time.Second))
		d1.State, d1.Attempts, d1.LastStatus, d1.LastError, d1.NextAt = casebook.DeliveryDead, 8, 500, "500 Internal Server Error", at(time.Hour)
		write(t, s, func(tx casebook.Tx) error {
			if err := tx.UpdateDelivery(ctx, d1); err != nil {
				return err
			}
			return tx.UpdateDelivery(ctx, d2)
		})
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.ClaimDeliveries(ctx, at(48*time.Hour), 10)
			if err != nil || len(got) != 0 {
				t.Fatalf("ClaimDeliveries after both ended = %+v, %v", got, err)
			}
			if got, err := tx.FindDelivery(ctx, f.A.ID, d1.ID); err != nil || !reflect.DeepEqual(got, d1) {
				t.Fatalf("FindDelivery = %+v, %v; want %+v", got, err, d1)
			}
			_, err = tx.FindDelivery(ctx, f.B.ID, d1.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			for _, tc := range []struct {
				f    casebook.DeliveryFilter
				want []*casebook.Delivery
			}{
				{casebook.DeliveryFilter{AccountID: f.A.ID}, []*casebook.Delivery{d2, d1}},
				{casebook.DeliveryFilter{AccountID: f.A.ID, WebhookID: w1.ID}, []*casebook.Delivery{d1}},
				{casebook.DeliveryFilter{AccountID: f.A.ID, State: casebook.DeliveryDead}, []*casebook.Delivery{d1}},
				{casebook.DeliveryFilter{AccountID: f.A.ID, Limit: 1}, []*casebook.Delivery{d2}},
				{casebook.DeliveryFilter{AccountID: f.B.ID}, nil},
			} {
				if got, err := tx.FindDeliveries(ctx, tc.f); err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("FindDeliveries(%+v) = %+v, %v; want %+v", tc.f, got, err, tc.want)
				}
			}
			return nil
		})
	})
	t.Run("Delete", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteWebhook(ctx, f.B.ID, w1.ID) })
		wantCode(t, err, casebook.ENOTFOUND)
		write(t, s, func(tx casebook.Tx) error { return tx.DeleteWebhook(ctx, f.A.ID, w1.ID) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindWebhook(ctx, f.A.ID, w1.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			got, err := tx.FindDeliveries(ctx, casebook.DeliveryFilter{AccountID: f.A.ID})
			if err != nil || len(got) != 1 || got[0].ID != d2.ID {
				t.Fatalf("deliveries after delete = %+v, %v", got, err)
			}
			return nil
		})
	})
}

func testMails(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	e := newEvent("acc-a", casebook.EventAuthorizationRequested, 0)
	e.AuthorizationID = "AU1"
	m1 := &casebook.Mail{AccountID: "acc-a", EventID: e.ID, Event: e, To: "alice@example.com", Audience: casebook.MailToCustomer,
		State: casebook.DeliveryPending, NextAt: at(time.Minute), CreatedAt: at(0), UpdatedAt: at(0)}
	m2 := &casebook.Mail{AccountID: "acc-a", EventID: e.ID, Event: e, To: "queue@example.com", Audience: casebook.MailToEngineer,
		State: casebook.DeliveryPending, NextAt: at(0), CreatedAt: at(0), UpdatedAt: at(0)}
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateMail(ctx, m1); err != nil {
			return err
		}
		return tx.CreateMail(ctx, m2)
	})
	err := s.Write(ctx, func(tx casebook.Tx) error { again := *m1; return tx.CreateMail(ctx, &again) })
	wantCode(t, err, casebook.ECONFLICT)
	write(t, s, func(tx casebook.Tx) error {
		got, err := tx.ClaimMails(ctx, at(30*time.Second), 10)
		if err != nil {
			return err
		} else if !reflect.DeepEqual(got, []*casebook.Mail{m2}) {
			t.Fatalf("ClaimMails = %+v, want m2", got)
		}
		m2.State, m2.Attempts, m2.SentAt, m2.UpdatedAt = casebook.DeliveryDelivered, 1, ptr(at(time.Second)), at(time.Second)
		m1.Attempts, m1.LastError, m1.NextAt = 1, "connect: refused", at(time.Hour)
		if err := tx.UpdateMail(ctx, m2); err != nil {
			return err
		}
		return tx.UpdateMail(ctx, m1)
	})
	read(t, s, func(tx casebook.Tx) error {
		if got, err := tx.ClaimMails(ctx, at(59*time.Minute), 10); err != nil || len(got) != 0 {
			t.Fatalf("ClaimMails before the retry = %+v, %v", got, err)
		}
		if got, err := tx.FindMail(ctx, m1.ID); err != nil || !reflect.DeepEqual(got, m1) {
			t.Fatalf("FindMail = %+v, %v; want %+v", got, err, m1)
		}
		_, err := tx.FindMail(ctx, m1.ID+m2.ID+100)
		wantCode(t, err, casebook.ENOTFOUND)
		for _, tc := range []struct {
			f    casebook.MailFilter
			want []*casebook.Mail
		}{
			{casebook.MailFilter{}, []*casebook.Mail{m2, m1}},
			{casebook.MailFilter{State: casebook.DeliveryDelivered}, []*casebook.Mail{m2}},
			{casebook.MailFilter{EventID: e.ID, Limit: 1}, []*casebook.Mail{m2}},
			{casebook.MailFilter{AccountID: "acc-b"}, nil},
		} {
			if got, err := tx.FindMails(ctx, tc.f); err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("FindMails(%+v) = %+v, %v", tc.f, got, err)
			}
		}
		return nil
	})
}
