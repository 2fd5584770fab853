package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
)

// TestGroupCommit: writers that queue while another writes share its
// commit; one that fails or panics leaves nothing, the others' work is
// stored, and each learns its own outcome.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openBulkSQLite(t).(*sqlite.DB).DB
	const n = 12
	boom := errors.New("boom")
	errs, panics, commits := queueBehind(t, db, "group-first", n, func(i int, tx casebook.Tx) error {
		err := tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: fmt.Sprintf("group-%d", i), CreatedAt: time.Now()})
		switch {
		case err != nil:
			return err
		case i%4 == 1:
			return boom
		case i%4 == 2:
			panic("writer panics")
		}
		return nil
	})
	if commits != 1 {
		t.Errorf("%d commits for %d writers that queued together, want 1", commits, n+1)
	}

	err := db.Read(ctx, func(tx casebook.Tx) error {
		for i := range n {
			_, err := tx.FindAccountByName(ctx, fmt.Sprintf("group-%d", i))
			switch i % 4 {
			case 1:
				if !errors.Is(errs[i], boom) {
					t.Errorf("writer %d: %v, want its own error", i, errs[i])
				}
				if casebook.ErrorCode(err) != casebook.ENOTFOUND {
					t.Errorf("writer %d failed, but its account is stored (%v)", i, err)
				}
			case 2:
				if panics[i] == nil {
					t.Errorf("writer %d: its panic did not reach it", i)
				}
				if casebook.ErrorCode(err) != casebook.ENOTFOUND {
					t.Errorf("writer %d panicked, but its account is stored (%v)", i, err)
				}
			default:
				if errs[i] != nil || panics[i] != nil {
					t.Errorf("writer %d: %v %v", i, errs[i], panics[i])
				}
				if err != nil {
					t.Errorf("writer %d succeeded, but its account is missing: %v", i, err)
				}
			}
		}
		_, err := tx.FindAccountByName(ctx, "group-first")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A failed commit (a deferred foreign key broken by one writer) fails
	// every writer of the group and stores nothing of it.
	first, orphan := loseGroup(t, db, "group-lost", func(tx casebook.Tx) error {
		u := &casebook.User{ID: casebook.NewHexID(), AccountID: casebook.NewHexID(), Name: "ghost"}
		return tx.CreateCase(ctx, &casebook.Case{ID: casebook.NewCaseID(time.Now()), AccountID: u.AccountID,
			CreatorID: u.ID, CreatorName: u.Name, SimpleDescription: "orphan", CreatedAt: time.Now(), UpdatedAt: time.Now()})
	})
	if first == nil {
		t.Error("the group's commit failed, but its first writer was told it succeeded")
	}
	if casebook.ErrorCode(orphan) != casebook.EINVALID {
		t.Errorf("the orphan ticket's writer: %v, want EINVALID", orphan)
	}
}

// TestGroupWriterGoexit: a function that ends the goroutine it runs on
// (runtime.Goexit, as t.Fatal does) takes its group's work with it but
// not the store: its writer and the others of its group are told that
// nothing was stored, and later writes go on.
func TestGroupWriterGoexit(t *testing.T) {
	ctx := context.Background()
	db := openBulkSQLite(t).(*sqlite.DB).DB

	release := holdWriter(t, db, "goexit-first")
	exited := make(chan error, 1)
	go func() {
		exited <- db.Write(ctx, func(tx casebook.Tx) error {
			if err := tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: "goexit-second", CreatedAt: time.Now()}); err != nil {
				return err
			}
			runtime.Goexit()
			return nil
		})
	}()
	waitQueued(t, db, 1)
	if err := release(); err == nil {
		t.Error("the group's goroutine ended before its commit, but its first writer was told it succeeded")
	}
	if err := <-exited; err == nil {
		t.Error("the writer whose function ended the goroutine was told it succeeded")
	}
	if err := db.Write(ctx, func(tx casebook.Tx) error {
		return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: "goexit-after", CreatedAt: time.Now()})
	}); err != nil {
		t.Fatalf("a write after the goroutine ended: %v", err)
	}
	db.Read(ctx, func(tx casebook.Tx) error {
		for _, name := range []string{"goexit-first", "goexit-second"} {
			if _, err := tx.FindAccountByName(ctx, name); casebook.ErrorCode(err) != casebook.ENOTFOUND {
				t.Errorf("%s: stored (%v), though its group was never committed", name, err)
			}
		}
		if _, err := tx.FindAccountByName(ctx, "goexit-after"); err != nil {
			t.Errorf("goexit-after: %v", err)
		}
		return nil
	})
}

// TestGroupWriteAfterClose: a write after Close fails at once instead of
// waiting for a writer that is gone.
func TestGroupWriteAfterClose(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	write := func() error {
		return db.Write(ctx, func(tx casebook.Tx) error {
			return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: casebook.NewHexID(), CreatedAt: time.Now()})
		})
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- write() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a write after Close succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after Close still waits after 10 s")
	}
}

// holdWriter starts a writer whose function creates the account name
// once released, and returns when that function holds the group's
// writer. release lets it go and returns what its Write returned.
func holdWriter(t *testing.T, db *sqlstore.DB, name string) (release func() error) {
	t.Helper()
	ctx := context.Background()
	entered, proceed := make(chan struct{}), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- db.Write(ctx, func(tx casebook.Tx) error {
			close(entered)
			<-proceed
			return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: name, CreatedAt: time.Now()})
		})
	}()
	<-entered
	return func() error {
		close(proceed)
		return <-result
	}
}

// queueBehind queues n writers, writer i running fn(i, tx), behind a held
// writer that creates the account name, releases that one once all n
// queue, and returns what each was told (its error, or what it panicked
// with) and how many commits they took.
func queueBehind(t *testing.T, db *sqlstore.DB, name string, n int, fn func(int, casebook.Tx) error) (errs []error, panics []any, commits int64) {
	t.Helper()
	ctx := context.Background()
	before := db.GroupCommits()
	release := holdWriter(t, db, name)
	errs, panics = make([]error, n), make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Write(ctx, func(tx casebook.Tx) error { return fn(i, tx) })
		}()
	}
	waitQueued(t, db, n)
	if err := release(); err != nil {
		t.Fatalf("first writer: %v", err)
	}
	wg.Wait()
	return errs, panics, db.GroupCommits() - before
}

// loseGroup runs fn as the one writer queued behind a held writer that
// creates the account name, for a group that is to fail as a whole, and
// returns what each of the two was told. The account must not be stored.
func loseGroup(t *testing.T, db *sqlstore.DB, name string, fn func(casebook.Tx) error) (first, queued error) {
	t.Helper()
	ctx := context.Background()
	release := holdWriter(t, db, name)
	done := make(chan error, 1)
	go func() { done <- db.Write(ctx, fn) }()
	waitQueued(t, db, 1)
	first, queued = release(), <-done
	db.Read(ctx, func(tx casebook.Tx) error {
		if _, err := tx.FindAccountByName(ctx, name); casebook.ErrorCode(err) != casebook.ENOTFOUND {
			t.Errorf("the account %s of a group that failed is stored (%v)", name, err)
		}
		return nil
	})
	return first, queued
}

// waitQueued waits until n writers queue for the group's writer.
func waitQueued(t *testing.T, db *sqlstore.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.GroupWaiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writers queue, want %d", db.GroupWaiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkGroupCommit: writers in parallel (16 per core), each creating
// an account in its own Write; commits/op says how many writers a commit
// served on average (1 without grouping).
func BenchmarkGroupCommit(b *testing.B) {
	ctx := context.Background()
	db := openBulkSQLite(b).(*sqlite.DB).DB
	before := db.GroupCommits()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.Write(ctx, func(tx casebook.Tx) error {
				return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: casebook.NewHexID(), CreatedAt: time.Now()})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(db.GroupCommits()-before)/float64(b.N), "commits/op")
}

// TestGroupJournals: the rows a group's writers append to the journals
// (audit, ticket history, outbox) are stored exactly for the writers that
// succeeded, with the IDs and seqs their events were given, including
// groups of more rows than one INSERT takes; and if they cannot be
// stored, no writer of the group is.
func TestGroupJournals(t *testing.T) {
	ctx := context.Background()
	db := openBulkSQLite(t).(*sqlite.DB).DB
	const n = 40 // two groups (maxGroup 32), the first with more audit rows than maxBatchRows
	boom := errors.New("boom")
	type appended struct {
		audit  []*casebook.AuditEvent
		cases  []*casebook.CaseEvent
		events []*casebook.Event
	}
	rows := make([]appended, n)
	errs, panics, commits := queueBehind(t, db, "journals-first", n, func(i int, tx casebook.Tx) error {
		r := &rows[i]
		auth, caseID := fmt.Sprintf("AU-%d", i), fmt.Sprintf("CS-%d", i)
		for k := range 1 + i%4 {
			e := &casebook.AuditEvent{At: time.UnixMilli(int64(1000*i + k)).UTC(), ActorRealm: casebook.RealmCustomer,
				ActorID: "u", ActorName: "n", Action: casebook.AuditGrantConfirmed, AccountID: "acc",
				CaseID: caseID, AuthorizationID: auth, Detail: fmt.Sprintf("%d/%d", i, k)}
			r.audit = append(r.audit, e)
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		for k := range 1 + i%2 {
			e := &casebook.CaseEvent{AccountID: "acc", CaseID: caseID, Kind: casebook.CaseEventAuthConfirmed,
				ActorRealm: casebook.RealmCustomer, ActorID: "u", ActorName: "n", Detail: fmt.Sprintf("%d/%d", i, k),
				At: time.UnixMilli(int64(1000*i + k)).UTC()}
			r.cases = append(r.cases, e)
			if err := tx.AppendCaseEvent(ctx, e); err != nil {
				return err
			}
		}
		e := &casebook.Event{ID: fmt.Sprintf("EV-%d", i), Type: casebook.EventAuthorizationConfirmed,
			At: time.UnixMilli(int64(1000 * i)).UTC(), AccountID: "acc", CaseID: caseID, AuthorizationID: auth,
			ActorRealm: casebook.RealmCustomer, ActorID: "u", ActorName: "n", Data: map[string]string{"i": fmt.Sprint(i)}}
		r.events = append(r.events, e)
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		switch i % 5 {
		case 3:
			return boom
		case 4:
			panic("writer panics")
		}
		return nil
	})
	if commits != 2 {
		t.Errorf("%d commits, want 2", commits)
	}

	var outbox []*casebook.Event
	err := db.Write(ctx, func(tx casebook.Tx) error {
		var err error
		outbox, err = tx.ClaimEvents(ctx, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[string]int64{}
	for _, e := range outbox {
		seqs[e.ID] = e.Seq
	}
	ids := map[int64]bool{}
	for i, r := range rows {
		failed := i%5 == 3 || i%5 == 4
		switch {
		case failed && errs[i] == nil && panics[i] == nil:
			t.Fatalf("writer %d should have failed", i)
		case !failed && (errs[i] != nil || panics[i] != nil):
			t.Fatalf("writer %d: %v %v", i, errs[i], panics[i])
		}
		db.Read(ctx, func(tx casebook.Tx) error {
			audit, err := tx.FindAudit(ctx, casebook.AuditFilter{AuthorizationID: fmt.Sprintf("AU-%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			cases, _, err := tx.FindCaseEvents(ctx, casebook.CaseEventFilter{AccountID: "acc", CaseID: fmt.Sprintf("CS-%d", i), Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			seq, inOutbox := seqs[fmt.Sprintf("EV-%d", i)]
			if failed {
				if len(audit) > 0 || len(cases) > 0 || inOutbox {
					t.Errorf("writer %d failed, but its journal rows are stored: %d audit, %d history, outbox %v",
						i, len(audit), len(cases), inOutbox)
				}
				return nil
			}
			slices.Reverse(audit) // newest first
			if !reflect.DeepEqual(audit, r.audit) {
				t.Errorf("writer %d: audit rows %+v, want %+v", i, audit, r.audit)
			}
			if !reflect.DeepEqual(cases, r.cases) {
				t.Errorf("writer %d: history rows %+v, want %+v", i, cases, r.cases)
			}
			if !inOutbox || seq != r.events[0].Seq {
				t.Errorf("writer %d: outbox seq %d (stored %v), its event says %d", i, seq, inOutbox, r.events[0].Seq)
			}
			for _, e := range r.audit {
				if ids[e.ID] {
					t.Errorf("audit id %d given twice", e.ID)
				}
				ids[e.ID] = true
			}
			return nil
		})
	}

	// A journal row the database refuses at the group's end fails every
	// writer of the group, and nothing of theirs is stored.
	if _, err := db.Writer.ExecContext(ctx, `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
		WHEN NEW.detail = 'refuse' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	first, refused := loseGroup(t, db, "journals-lost", func(tx casebook.Tx) error {
		return tx.AppendAudit(ctx, &casebook.AuditEvent{At: time.Now(), ActorRealm: casebook.RealmCustomer,
			ActorID: "u", ActorName: "n", Action: casebook.AuditGrantConfirmed, AccountID: "acc", Detail: "refuse"})
	})
	if first == nil {
		t.Error("the group's journal rows were refused, but its first writer was told it succeeded")
	}
	if refused == nil {
		t.Error("the writer whose audit row was refused was told it succeeded")
	}
}

// BenchmarkGroupJournals: writers in parallel (16 per core), each appending
// what a ConfirmAuthorizations appends to the journals (an audit row, a
// ticket-history row and an outbox event) in its own Write.
func BenchmarkGroupJournals(b *testing.B) {
	ctx := context.Background()
	db := openBulkSQLite(b).(*sqlite.DB).DB
	before := db.GroupCommits()
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			auth, caseID := fmt.Sprintf("AU%020d", i), fmt.Sprintf("CS%020d", i%5000)
			err := db.Write(ctx, func(tx casebook.Tx) error {
				now := time.Now()
				actor := casebook.AuditEvent{ActorRealm: casebook.RealmCustomer, ActorID: "u", ActorName: "n"}
				if err := tx.AppendAudit(ctx, &casebook.AuditEvent{At: now, ActorRealm: actor.ActorRealm, ActorID: actor.ActorID,
					ActorName: actor.ActorName, Action: casebook.AuditGrantConfirmed, AccountID: "acc", CaseID: caseID,
					AuthorizationID: auth, Detail: "window; 1 credentials"}); err != nil {
					return err
				}
				if err := tx.AppendCaseEvent(ctx, &casebook.CaseEvent{AccountID: "acc", CaseID: caseID,
					Kind: casebook.CaseEventAuthConfirmed, ActorRealm: actor.ActorRealm, ActorID: actor.ActorID,
					ActorName: actor.ActorName, Detail: auth, At: now}); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &casebook.Event{ID: casebook.NewEventID(), Type: casebook.EventAuthorizationConfirmed,
					At: now, AccountID: "acc", CaseID: caseID, AuthorizationID: auth, ActorRealm: actor.ActorRealm,
					ActorID: actor.ActorID, ActorName: actor.ActorName, Data: map[string]string{"engineer_id": "e"}})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(db.GroupCommits()-before)/float64(b.N), "commits/op")
}
