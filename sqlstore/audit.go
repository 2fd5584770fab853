package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

const auditInsert = `INSERT INTO audit_events (occurred_at, actor_realm, actor_id, actor_name, action,
	account_id, case_id, authorization_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (tx *Tx) auditValues(e *casebook.AuditEvent) []any {
	return []any{tx.time(e.At), string(e.ActorRealm), e.ActorID, e.ActorName, e.Action,
		e.AccountID, e.CaseID, e.AuthorizationID, e.Detail}
}

// AppendAudit appends an event to the audit log and sets its ID; in a
// group's writer, once the group's rows are inserted (journalBatch). The
// schema refuses UPDATE and DELETE on the log.
func (tx *Tx) AppendAudit(ctx context.Context, e *casebook.AuditEvent) error {
	if tx.journals != nil {
		tx.journals.audit = append(tx.journals.audit, e)
		return nil
	}
	var err error
	e.ID, err = tx.insertID(ctx, auditInsert, "id", tx.auditValues(e)...)
	return tx.wrap("append audit event", err)
}

// FindAudit returns the events matching f, newest first; a Limit of zero
// or less returns all of them.
func (tx *Tx) FindAudit(ctx context.Context, f casebook.AuditFilter) ([]*casebook.AuditEvent, error) {
	var conds []string
	var args []any
	if f.AccountID != "" {
		conds, args = append(conds, "account_id = ?"), append(args, f.AccountID)
	}
	if f.AuthorizationID != "" {
		conds, args = append(conds, "authorization_id = ?"), append(args, f.AuthorizationID)
	}
	if f.ActorID != "" {
		conds, args = append(conds, "actor_id = ?"), append(args, f.ActorID)
	}
	rows, err := tx.query(ctx, `SELECT id, occurred_at, actor_realm, actor_id, actor_name, action, account_id,
		case_id, authorization_id, detail FROM audit_events`+where(conds)+` ORDER BY id DESC LIMIT ?`,
		append(args, tx.limit(f.Limit))...)
	if err != nil {
		return nil, tx.wrap("find audit events", err)
	}
	defer rows.Close()
	var events []*casebook.AuditEvent
	for rows.Next() {
		var e casebook.AuditEvent
		var realm string
		if err := rows.Scan(&e.ID, timeCol{&e.At}, &realm, &e.ActorID, &e.ActorName, &e.Action, &e.AccountID,
			&e.CaseID, &e.AuthorizationID, &e.Detail); err != nil {
			return nil, tx.wrap("scan audit event", err)
		}
		e.ActorRealm = casebook.Realm(realm)
		events = append(events, &e)
	}
	return events, tx.wrap("find audit events", rows.Err())
}
