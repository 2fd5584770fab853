package sqlstore

import (
	"context"
	"strings"

	"github.com/casebook/casebook"
)

// journalBatch holds the rows that a group's writers (group.go) append to
// the three journals, the audit log, the tickets' histories and the
// outbox, until the group ends. They are inserted then, a few multi-row
// INSERTs per journal, in the group's transaction just before its commit:
// a row exists exactly when its writer's change is committed, as when it
// was inserted at once. The writer pays for a share of one statement
// instead of one of its own, and the journals' last pages are no longer
// copied into the savepoint of each writer of the group
// (docs/benchmarks.md, finding 29).
//
// A writer that fails takes its rows back out (rollback). IDs and seqs
// are set when the rows are inserted, before any writer of the group
// learns its outcome; inside its function a writer sees zero, and no
// function reads back a journal row it appended itself.
type journalBatch struct {
	audit  []*casebook.AuditEvent
	cases  []*casebook.CaseEvent
	events []*casebook.Event
}

// batchMark is how far a batch went before a writer ran.
type batchMark struct{ audit, cases, events int }

func (b *journalBatch) mark() batchMark {
	return batchMark{len(b.audit), len(b.cases), len(b.events)}
}

// rollback drops what was appended since m.
func (b *journalBatch) rollback(m batchMark) {
	clear(b.audit[m.audit:])
	clear(b.cases[m.cases:])
	clear(b.events[m.events:])
	b.audit, b.cases, b.events = b.audit[:m.audit], b.cases[:m.cases], b.events[:m.events]
}

func (b *journalBatch) reset() { b.rollback(batchMark{}) }

// maxBatchRows bounds the rows of one INSERT. A batch is cut into powers
// of two up to it, so that each journal has seven statement texts for the
// statement cache rather than one per batch size.
const maxBatchRows = 64

// flushJournals inserts the batch's rows, journal by journal, and sets
// their IDs.
func (tx *Tx) flushJournals(ctx context.Context, b *journalBatch) error {
	err := insertBatch(ctx, tx, "append audit events", auditInsert, b.audit,
		func(e *casebook.AuditEvent) []any { return tx.auditValues(e) },
		func(e *casebook.AuditEvent, id int64) { e.ID = id })
	if err != nil {
		return err
	}
	err = insertBatch(ctx, tx, "append case events", caseEventInsert, b.cases,
		func(e *casebook.CaseEvent) []any { return tx.caseEventValues(e) },
		func(e *casebook.CaseEvent, id int64) { e.ID = id })
	if err != nil {
		return err
	}
	return insertBatch(ctx, tx, "append events", eventInsert, b.events,
		func(e *casebook.Event) []any { return tx.eventValues(e) },
		func(e *casebook.Event, seq int64) { e.Seq = seq })
}

// insertBatch inserts rows with insert (a one-row INSERT ... VALUES (...)
// into a table whose key SQLite assigns), in chunks, and gives each row
// the key it got. The keys come from the last one: SQLite numbers the rows
// of one INSERT one after the other, each one more than the largest
// before it, and only this writer inserts (RETURNING would say it
// directly, but SQLite leaves the order of its rows open).
func insertBatch[T any](ctx context.Context, tx *Tx, what, insert string, rows []*T, values func(*T) []any, setID func(*T, int64)) error {
	for len(rows) > 0 {
		n := maxBatchRows
		for n > len(rows) {
			n /= 2
		}
		chunk := rows[:n]
		rows = rows[n:]
		var args []any
		for _, r := range chunk {
			args = append(args, values(r)...)
		}
		res, err := tx.exec(ctx, multiRowInsert(insert, n), args...)
		if err != nil {
			return tx.wrap(what, err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return tx.wrap(what, err)
		}
		for i, r := range chunk {
			setID(r, last-int64(n-1-i))
		}
	}
	return nil
}

// multiRowInsert repeats the VALUES tuple of a one-row insert n times.
func multiRowInsert(insert string, n int) string {
	tuple := insert[strings.LastIndex(insert, "VALUES ")+len("VALUES "):]
	return insert + strings.Repeat(", "+tuple, n-1)
}
