package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func testTransactions(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	t.Run("RollbackOnError", func(t *testing.T) {
		boom := errors.New("boom")
		a := &casebook.Account{ID: casebook.NewHexID(), Name: "rolled-back", CreatedAt: at(0)}
		err := s.Write(ctx, func(tx casebook.Tx) error {
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want the function's error", err)
		}
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindAccountByID(ctx, a.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			return nil
		})
	})
	t.Run("ReadIsReadOnly", func(t *testing.T) {
		err := s.Read(ctx, func(tx casebook.Tx) error {
			return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: "in-read", CreatedAt: at(0)})
		})
		if err == nil {
			t.Fatal("CreateAccount inside Read succeeded")
		}
	})
	t.Run("ForeignKeys", func(t *testing.T) {
		// A ticket of an account that does not exist is refused, at the
		// latest on commit, and leaves nothing behind.
		c := newCase(&casebook.User{ID: casebook.NewHexID(), AccountID: casebook.NewHexID(), Name: "ghost"}, 0, "orphan")
		err := s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateCase(ctx, c) })
		wantCode(t, err, casebook.EINVALID)
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindCaseByID(ctx, c.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			return nil
		})
	})
	t.Run("ReadSeesCommitted", func(t *testing.T) {
		a := &casebook.Account{ID: casebook.NewHexID(), Name: "committed", CreatedAt: at(0)}
		write(t, s, func(tx casebook.Tx) error { return tx.CreateAccount(ctx, a) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindAccountByName(ctx, "committed")
			return err
		})
	})
}

// testConcurrentRelations checks that locking the ticket in FindCase makes
// check-then-insert safe: 20 writers each add a relation if the ticket has
// fewer than 3, and exactly 3 remain.
func testConcurrentRelations(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "main")
	related := make([]*casebook.Case, 20)
	for i := range related {
		related[i] = newCase(f.U1, time.Duration(i+1)*time.Second, "related")
	}
	createCases(t, s, append([]*casebook.Case{c}, related...)...)

	var wg sync.WaitGroup
	errs := make(chan error, len(related))
	for i, r := range related {
		wg.Go(func() {
			errs <- s.Write(ctx, func(tx casebook.Tx) error {
				if _, err := tx.FindCase(ctx, f.sub(f.U1), c.ID); err != nil {
					return err
				}
				rels, err := tx.FindRelations(ctx, f.A.ID, c.ID)
				if err != nil {
					return err
				}
				if len(rels) >= casebook.MaxRelationsPerCase {
					return nil
				}
				time.Sleep(time.Millisecond) // widen the window a missing lock would leave
				return tx.CreateRelation(ctx, &casebook.Relation{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r.ID, CreatedAt: at(time.Duration(i) * time.Minute)})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	read(t, s, func(tx casebook.Tx) error {
		rels, err := tx.FindRelations(ctx, f.A.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		} else if len(rels) != casebook.MaxRelationsPerCase {
			t.Fatalf("%d relations, want exactly %d", len(rels), casebook.MaxRelationsPerCase)
		}
		return nil
	})
}

// testConcurrentSweep runs two sweepers at once: each takes due grants in
// batches, holds them a moment and records them as expired. No grant may be
// taken twice, and all are taken.
func testConcurrentSweep(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "ticket")
	createCases(t, s, c)
	var due []*casebook.Authorization
	for i := range 40 {
		a := newAuthorization(c, f.Eng, time.Duration(i)*time.Second)
		a.Status, a.EffectiveAt, a.ExpireAt = casebook.AuthStatusAuthorized, ptr(at(0)), ptr(at(time.Hour+time.Duration(i)*time.Second))
		due = append(due, a)
	}
	notDue := newAuthorization(c, f.Eng, time.Minute)
	notDue.Status, notDue.EffectiveAt, notDue.ExpireAt = casebook.AuthStatusAuthorized, ptr(at(0)), ptr(at(48*time.Hour))
	createAuthorizations(t, s, append(due, notDue)...)
	now := at(2 * time.Hour)

	var mu sync.Mutex
	var taken []string
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for {
				var batch []string
				err := s.Write(ctx, func(tx casebook.Tx) error {
					batch = nil
					as, err := tx.FindDueAuthorizations(ctx, now, 5)
					if err != nil {
						return err
					}
					time.Sleep(5 * time.Millisecond) // hold the rows while the other sweeper looks
					for _, a := range as {
						a.Status, a.UpdatedAt = casebook.AuthStatusExpired, now
						if err := tx.UpdateAuthorization(ctx, a, casebook.AuthStatusAuthorized); err != nil {
							return err
						}
						batch = append(batch, a.ID)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				if len(batch) == 0 {
					errs <- nil
					return
				}
				mu.Lock()
				taken = append(taken, batch...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("sweeper: %v", err)
		}
	}
	slices.Sort(taken)
	if len(taken) != len(due) || len(slices.Compact(slices.Clone(taken))) != len(taken) {
		t.Fatalf("swept %d grants (%d distinct), want each of the %d exactly once", len(taken), len(slices.Compact(slices.Clone(taken))), len(due))
	}
	read(t, s, func(tx casebook.Tx) error {
		left, err := tx.FindDueAuthorizations(ctx, now, 0)
		if err != nil || len(left) != 0 {
			t.Fatalf("due after the sweep: %d, %v", len(left), err)
		}
		a, err := tx.FindAuthorizationByID(ctx, notDue.ID)
		if err != nil || a.Status != casebook.AuthStatusAuthorized {
			t.Fatalf("a grant not yet due was swept: %+v, %v", a, err)
		}
		return nil
	})
}

// testConcurrentUploads checks that LockUploader makes the quota's check-
// then-insert safe: 12 writers of one uploader each log an upload if the
// day's total stays within a quota of three, and exactly three do.
func testConcurrentUploads(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const writers, fit = 12, 3
	uploads := make([]*casebook.Accessory, writers)
	for i := range uploads {
		uploads[i] = newAccessory(f.U1, time.Minute, "concurrent.log")
		uploads[i].Size = 1000
	}
	quota := int64(fit*1000 + 500)

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, a := range uploads {
		wg.Go(func() {
			errs <- s.Write(ctx, func(tx casebook.Tx) error {
				if err := tx.LockUploader(ctx, a.UploaderID); err != nil {
					return err
				}
				used, err := tx.SumUploadSize(ctx, a.UploaderID, at(0))
				if err != nil {
					return err
				}
				if used+a.Size > quota {
					return nil
				}
				time.Sleep(2 * time.Millisecond) // widen the window a missing lock would leave
				return tx.CreateAccessory(ctx, a)
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	read(t, s, func(tx casebook.Tx) error {
		used, err := tx.SumUploadSize(ctx, f.U1.ID, at(0))
		if err != nil {
			t.Fatal(err)
		} else if used != fit*1000 {
			t.Fatalf("%d bytes uploaded, want exactly %d (quota %d)", used, fit*1000, quota)
		}
		return nil
	})
}
