package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Group commit, for engines with one writer (SQLite). One goroutine, the
// group's writer, runs the queued writers' functions back to back in one
// transaction, each inside a savepoint of its own, and commits for all of
// them once nobody else queues. A commit writes every page the transaction
// changed to the log, two system calls a page, and writers that run back
// to back change many of the same pages (the ends of the indexes they
// append to, the live counts): eight ConfirmAuthorizations in one commit
// write 11 pages each instead of 22 (docs/benchmarks.md, issue 14).
//
// The functions run on the group's goroutine rather than each on its
// caller's, passing a lock from one to the next: each hand-over woke a
// goroutine, and under ConfirmAuthorizations load SQLite's write lock sat
// unused between writers for 50-116 µs of each one's 430 (finding 23).
// A writer alone commits once the goroutines that are ready have run (at
// once on an idle server), as without grouping. The rows the writers
// append to the journals are inserted together at the group's end
// (journalBatch).
//
// Each writer still sees its function's outcome alone: a function that
// fails or panics is rolled back to its savepoint and returns its error
// (or panics again in its caller) at once, and the others go on. A
// function that succeeded returns once the group's commit is done, with
// the commit's error if it failed, so nothing is acknowledged before it is
// durable. Statements of a grouped writer ignore the cancellation of its
// context: SQLite rolls back the whole transaction when a write statement
// is interrupted, which would take the others' work with it.

// maxGroup bounds the writers of one commit, so that a steady stream of
// writers still commits regularly.
const maxGroup = 32

// errStoreClosed answers a write queued after Close.
var errStoreClosed = errors.New("write: the store is closed")

type group struct {
	start   sync.Once
	mu      sync.RWMutex // read-held to queue, write-held to close
	closed  bool
	queue   chan *groupWrite
	stopped chan struct{} // closed when the writer goroutine has ended
	waiting atomic.Int32  // writers queued and not yet taken
	commits atomic.Int64  // transactions ended, for tests
}

// groupWrite is one writer's function and, once done is closed, its
// outcome.
type groupWrite struct {
	ctx      context.Context
	fn       func(*Tx) error
	err      error
	panicked any // what fn panicked with, panicked again in the caller
	done     chan struct{}
}

func (w *groupWrite) finish(err error) {
	w.err = err
	close(w.done)
}

func (db *DB) writeGrouped(ctx context.Context, fn func(*Tx) error) error {
	g := &db.group
	g.start.Do(func() {
		g.queue = make(chan *groupWrite, maxGroup)
		g.stopped = make(chan struct{})
		go db.runGroups()
	})
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errStoreClosed
	}
	g.waiting.Add(1)
	g.queue <- w
	g.mu.RUnlock()
	<-w.done
	if w.panicked != nil {
		panic(w.panicked)
	}
	return w.err
}

// closeGroup stops the group's writer once the writes queued so far are
// done; later ones get errStoreClosed.
func (db *DB) closeGroup() {
	g := &db.group
	g.start.Do(func() {}) // never started: nothing to stop
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.queue == nil {
		g.closed = true
		return
	}
	g.closed = true
	close(g.queue)
	<-g.stopped
}

// groupState is what the group's goroutine holds between writers.
type groupState struct {
	tx        *sql.Tx
	journals  journalBatch  // the journal rows of the writers in committed
	cur       *groupWrite   // the writer whose function runs
	committed []*groupWrite // succeeded, waiting for the commit
}

// runGroups is the group's goroutine: it takes the queued writers, a
// group at a time, until the queue is closed.
func (db *DB) runGroups() {
	var st groupState
	normal := false
	defer func() {
		if normal {
			close(db.group.stopped)
			return
		}
		// A function ended the goroutine (runtime.Goexit: t.Fatal in a
		// test). Nothing of its group is committed: each writer of it is
		// told so, and a new goroutine takes over the queue.
		if st.tx != nil {
			st.tx.Rollback()
		}
		lost := errors.New("write: a writer's function ended the group's goroutine")
		if st.cur != nil {
			st.cur.finish(lost)
		}
		for _, w := range st.committed {
			w.finish(lost)
		}
		go db.runGroups()
	}()
	for first := range db.group.queue {
		db.group.waiting.Add(-1)
		db.runGroup(&st, first)
	}
	normal = true
}

// runGroup runs first and the writers queued behind it in one
// transaction, then commits.
func (db *DB) runGroup(st *groupState, first *groupWrite) {
	g := &db.group
	sqlTx, err := db.Writer.BeginTx(context.WithoutCancel(first.ctx), nil)
	if err != nil {
		first.finish(fmt.Errorf("begin transaction: %w", err))
		return
	}
	st.tx, st.committed = sqlTx, st.committed[:0]
	st.journals.reset()
	var tx *Tx
	for w, n := first, 1; ; n++ {
		// A Tx of its own for each writer, as each has outside a group.
		tx = db.newTx(db.Writer, &db.writerStmts, true)
		tx.tx, tx.detached, tx.journals = sqlTx, true, &st.journals
		st.cur = w
		before := st.journals.mark()
		ok, broken := runWriter(tx, w)
		st.cur = nil
		if !ok {
			st.journals.rollback(before) // as its savepoint was
		}
		if broken != nil {
			// The transaction is gone (SQLite rolls back on some errors):
			// nobody's work in it will be committed.
			sqlTx.Rollback()
			st.tx = nil
			if w.err == nil && w.panicked == nil {
				w.err = broken // its function succeeded, or never ran
			}
			close(w.done)
			g.end(st, broken)
			return
		}
		if ok {
			st.committed = append(st.committed, w)
		} else {
			close(w.done) // its own error or panic, at once
		}
		if n == maxGroup {
			break
		}
		if w = g.next(); w == nil {
			// Nobody queues yet: let the goroutines that are ready run
			// once first, so that a writer on its way to the queue joins
			// this commit instead of waiting out this one and paying for
			// the next (under ConfirmAuthorizations load, two write calls
			// fewer a confirmation; docs/benchmarks.md, finding 22). With
			// nothing else ready this returns at once.
			runtime.Gosched()
			if w = g.next(); w == nil {
				break
			}
		}
	}
	// The journals' rows of the writers that succeeded; if they cannot be
	// inserted, nobody's work is committed.
	tx = db.newTx(db.Writer, &db.writerStmts, true)
	tx.tx, tx.detached = sqlTx, true
	err = tx.flushJournals(context.WithoutCancel(first.ctx), &st.journals)
	st.journals.reset()
	if err != nil {
		sqlTx.Rollback()
		st.tx = nil
		g.end(st, err)
		return
	}
	err = sqlTx.Commit()
	st.tx = nil
	g.end(st, tx.wrap("commit", err))
}

// next takes a queued writer without waiting, or returns nil.
func (g *group) next() *groupWrite {
	select {
	case w, ok := <-g.queue:
		if ok {
			g.waiting.Add(-1)
			return w
		}
	default:
	}
	return nil
}

// end lets the writers whose functions succeeded go with the group's
// outcome: if the commit failed (a deferred foreign key that one writer
// broke, or the disk), every one of them gets its error and none of their
// work is stored.
func (g *group) end(st *groupState, err error) {
	for _, w := range st.committed {
		w.finish(err)
	}
	st.committed = st.committed[:0]
	g.commits.Add(1)
}

// runWriter runs w's function in a savepoint of tx. ok says whether it
// succeeded; if it ran and failed, w holds its error or panic and the
// savepoint is rolled back. broken is set if the transaction itself
// failed, before or after the function.
func runWriter(tx *Tx, w *groupWrite) (ok bool, broken error) {
	bg := context.WithoutCancel(w.ctx)
	if _, err := tx.exec(bg, "SAVEPOINT writer"); err != nil {
		return false, tx.wrap("savepoint", err)
	}
	ok = callWriter(tx, w)
	if !ok {
		if _, err := tx.exec(bg, "ROLLBACK TO writer"); err != nil {
			return false, tx.wrap("savepoint", err)
		}
	}
	if _, err := tx.exec(bg, "RELEASE writer"); err != nil {
		return ok, tx.wrap("savepoint", err)
	}
	return ok, nil
}

// callWriter calls w's function, keeping its error or panic in w.
func callWriter(tx *Tx, w *groupWrite) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			w.panicked = p
		}
	}()
	w.err = w.fn(tx)
	return w.err == nil
}
