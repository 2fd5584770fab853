package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Group commit, for engines with one writer (SQLite). Writers that queue
// for the writer while another one works join its transaction: each runs
// its function inside a savepoint of its own, and the last of the group
// commits for all. A commit writes every page the transaction changed to
// the log, two system calls a page, and writers that run back to back
// change many of the same pages (the ends of the indexes they append to,
// the live counts): eight ConfirmAuthorizations in one commit write 11
// pages each instead of 22 (docs/benchmarks.md, issue 14). A writer
// alone commits once the goroutines that are ready have run (at once on
// an idle server), as without grouping.
//
// Each writer still sees its function's error alone: a failed function is
// rolled back to its savepoint and the others go on. A function that
// succeeded returns once the group's commit is done, with the commit's
// error if it failed, so nothing is acknowledged before it is durable.
// Statements of a grouped writer ignore the cancellation of its context:
// SQLite rolls back the whole transaction when a write statement is
// interrupted, which would take the others' work with it.

// maxGroup bounds the writers of one commit, so that a steady stream of
// writers still commits regularly.
const maxGroup = 32

type group struct {
	mu      sync.Mutex   // held by the writer whose function runs
	waiting atomic.Int32 // writers waiting for mu
	open    *groupTx     // the transaction being filled, under mu
	commits atomic.Int64 // transactions ended, for tests
}

// groupTx is one transaction shared by a group of writers.
type groupTx struct {
	tx      *sql.Tx
	writers int
	done    chan struct{} // closed once committed or rolled back
	err     error         // the commit's, set before done closes
}

func (db *DB) writeGrouped(ctx context.Context, fn func(*Tx) error) (err error) {
	g := &db.group
	g.waiting.Add(1)
	g.mu.Lock()
	g.waiting.Add(-1)
	gt := g.open
	if gt == nil {
		sqlTx, err := db.Writer.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			g.mu.Unlock()
			return fmt.Errorf("begin transaction: %w", err)
		}
		gt = &groupTx{tx: sqlTx, done: make(chan struct{})}
		g.open = gt
	}
	tx := db.newTx(db.Writer, &db.writerStmts, true)
	tx.tx, tx.detached = gt.tx, true
	bg := context.WithoutCancel(ctx)
	if _, err := tx.exec(bg, "SAVEPOINT writer"); err != nil {
		g.end(tx, gt, tx.wrap("savepoint", err))
		g.mu.Unlock()
		return gt.err
	}

	// Everything else happens on the way out, whether fn returned,
	// panicked or ended the goroutine (t.Fatal in a test): the savepoint
	// is released or rolled back, then the transaction is handed on to
	// the next writer or committed, and mu is unlocked.
	succeeded := false
	defer func() {
		var broken error
		if !succeeded {
			if _, rerr := tx.exec(bg, "ROLLBACK TO writer"); rerr != nil {
				broken = rerr
			}
		}
		if broken == nil {
			if _, rerr := tx.exec(bg, "RELEASE writer"); rerr != nil {
				broken = rerr
			}
		}
		if broken != nil {
			// The transaction is gone (SQLite rolls back on some errors):
			// nobody's work in it will be committed.
			g.end(tx, gt, tx.wrap("savepoint", broken))
			g.mu.Unlock()
			if succeeded {
				err = gt.err
			}
			return
		}
		gt.writers++
		if g.waiting.Load() == 0 && gt.writers < maxGroup {
			// Nobody queues yet: let the goroutines that are ready run
			// once first, so that a writer on its way to the queue joins
			// this commit instead of waiting out this one and paying for
			// the next (under ConfirmAuthorizations load, two write calls
			// fewer a confirmation; docs/benchmarks.md, finding 22). With
			// nothing else ready this returns at once.
			runtime.Gosched()
		}
		if g.waiting.Load() > 0 && gt.writers < maxGroup {
			g.mu.Unlock()
			if succeeded {
				<-gt.done
				err = gt.err
			}
			return
		}
		g.end(tx, gt, nil)
		g.mu.Unlock()
		if succeeded {
			err = gt.err
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	succeeded = true
	return nil
}

// end commits gt, or rolls it back if cause is not nil, and lets its
// writers go with the outcome. If the commit fails (a deferred foreign key
// that one writer broke, or the disk), every writer of the group gets its
// error and none of their work is stored. Called under mu by the writer
// whose Tx is tx.
func (g *group) end(tx *Tx, gt *groupTx, cause error) {
	g.open = nil
	if cause != nil {
		gt.tx.Rollback()
		gt.err = cause
	} else if err := gt.tx.Commit(); err != nil {
		gt.err = tx.wrap("commit", err)
	}
	g.commits.Add(1)
	close(gt.done)
}
