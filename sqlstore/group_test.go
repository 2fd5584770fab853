package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
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
	before := db.GroupCommits()

	release := holdWriter(t, db, "group-first")

	const n = 12
	boom := errors.New("boom")
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Write(ctx, func(tx casebook.Tx) error {
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
		}()
	}
	waitQueued(t, db, n)
	if err := release(); err != nil {
		t.Fatalf("first writer: %v", err)
	}
	wg.Wait()
	if got := db.GroupCommits() - before; got != 1 {
		t.Errorf("%d commits for %d writers that queued together, want 1", got, n+1)
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
	release = holdWriter(t, db, "group-lost")
	orphan := make(chan error, 1)
	go func() {
		orphan <- db.Write(ctx, func(tx casebook.Tx) error {
			u := &casebook.User{ID: casebook.NewHexID(), AccountID: casebook.NewHexID(), Name: "ghost"}
			return tx.CreateCase(ctx, &casebook.Case{ID: casebook.NewCaseID(time.Now()), AccountID: u.AccountID,
				CreatorID: u.ID, CreatorName: u.Name, SimpleDescription: "orphan", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		})
	}()
	waitQueued(t, db, 1)
	if err := release(); err == nil {
		t.Error("the group's commit failed, but its first writer was told it succeeded")
	}
	if err := <-orphan; casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("the orphan ticket's writer: %v, want EINVALID", err)
	}
	db.Read(ctx, func(tx casebook.Tx) error {
		if _, err := tx.FindAccountByName(ctx, "group-lost"); casebook.ErrorCode(err) != casebook.ENOTFOUND {
			t.Errorf("an account of a group whose commit failed is stored (%v)", err)
		}
		return nil
	})
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
