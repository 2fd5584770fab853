package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

const caseEventInsert = `INSERT INTO case_events (account_id, case_id, kind, actor_realm, actor_id, actor_name,
	detail, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

func (tx *Tx) caseEventValues(e *casebook.CaseEvent) []any {
	return []any{e.AccountID, e.CaseID, e.Kind, string(e.ActorRealm), e.ActorID, e.ActorName, e.Detail, tx.time(e.At)}
}

// AppendCaseEvent appends an event to a ticket's history and sets its ID;
// in a group's writer, once the group's rows are inserted (journalBatch).
// The schema refuses UPDATE and DELETE on the history.
func (tx *Tx) AppendCaseEvent(ctx context.Context, e *casebook.CaseEvent) error {
	if tx.journals != nil {
		tx.journals.cases = append(tx.journals.cases, e)
		return nil
	}
	var err error
	e.ID, err = tx.insertID(ctx, caseEventInsert, "id", tx.caseEventValues(e)...)
	return tx.wrap("append case event", err)
}

// FindCaseEvents returns one page of a ticket's events in id order, a range
// of the index on (account_id, case_id, id), and the total, from the
// ticket's live count (migration 0015): neither grows with the ticket's
// history. The ORDER BY names the index's columns so that PostgreSQL does
// not walk the primary key in id order hoping to meet the ticket's rows soon.
// LIMIT and OFFSET are opaque (opaqueInt): given them, PostgreSQL's custom
// plan read ten rows where the generic plan guessed a tenth of a ticket's
// events, so past a few hundred events a ticket it planned every call again.
func (tx *Tx) FindCaseEvents(ctx context.Context, f casebook.CaseEventFilter) ([]*casebook.CaseEvent, int, error) {
	total, err := tx.count(ctx, "count case events",
		`SELECT COALESCE((SELECT n FROM case_event_counts WHERE account_id = ? AND case_id = ?), 0)`, f.AccountID, f.CaseID)
	if err != nil || total == 0 {
		return nil, total, err
	}
	rows, err := tx.query(ctx, `SELECT id, account_id, case_id, kind, actor_realm, actor_id, actor_name, detail, occurred_at
		FROM case_events WHERE account_id = ? AND case_id = ? ORDER BY account_id, case_id, id
		LIMIT `+tx.opaqueInt()+` OFFSET `+tx.opaqueInt(),
		f.AccountID, f.CaseID, tx.limit(f.Limit), tx.offset(f.Offset))
	if err != nil {
		return nil, 0, tx.wrap("find case events", err)
	}
	defer rows.Close()
	var events []*casebook.CaseEvent
	for rows.Next() {
		var e casebook.CaseEvent
		var realm string
		if err := rows.Scan(&e.ID, &e.AccountID, &e.CaseID, &e.Kind, &realm, &e.ActorID, &e.ActorName, &e.Detail,
			timeCol{&e.At}); err != nil {
			return nil, 0, tx.wrap("scan case event", err)
		}
		e.ActorRealm = casebook.Realm(realm)
		events = append(events, &e)
	}
	return events, total, tx.wrap("find case events", rows.Err())
}
