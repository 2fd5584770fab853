package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/casebook/casebook"
)

const mailColumns = `id, account_id, event_id, event, recipient, audience, state, attempts, next_at, last_error,
	created_at, updated_at, sent_at`

// encodeEvent returns the stored form of an event carried by a delivery or
// a mail.
func encodeEvent(e *casebook.Event) (string, error) {
	if e == nil {
		return "", errors.New("no event")
	}
	b, err := json.Marshal(storedEvent{Seq: e.Seq, ID: e.ID, Type: e.Type, At: e.At.UTC(), AccountID: e.AccountID,
		CaseID: e.CaseID, AuthorizationID: e.AuthorizationID, ActorRealm: string(e.ActorRealm), ActorID: e.ActorID,
		ActorName: e.ActorName, Data: e.Data})
	return string(b), err
}

// decodeEvent reads what encodeEvent wrote.
func decodeEvent(s string) (*casebook.Event, error) {
	var e storedEvent
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return &casebook.Event{Seq: e.Seq, ID: e.ID, Type: e.Type, At: e.At.UTC(), AccountID: e.AccountID, CaseID: e.CaseID,
		AuthorizationID: e.AuthorizationID, ActorRealm: casebook.Realm(e.ActorRealm), ActorID: e.ActorID,
		ActorName: e.ActorName, Data: e.Data}, nil
}

// CreateMail inserts the mail with its event and sets its ID.
func (tx *Tx) CreateMail(ctx context.Context, m *casebook.Mail) error {
	event, err := encodeEvent(m.Event)
	if err != nil {
		return fmt.Errorf("insert mail: %w", err)
	}
	err = tx.queryRow(ctx, `INSERT INTO mails (account_id, event_id, event, recipient, audience, state, attempts, next_at,
		last_error, created_at, updated_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.AccountID, m.EventID, event, m.To, m.Audience, m.State, m.Attempts, tx.time(m.NextAt), m.LastError,
		tx.time(m.CreatedAt), tx.time(m.UpdatedAt), tx.nullTime(m.SentAt)).Scan(&m.ID)
	return tx.wrap("insert mail", err)
}

// ClaimMails returns up to limit due pending mails, locked inside Write
// with SKIP LOCKED on engines with row locks.
func (tx *Tx) ClaimMails(ctx context.Context, now time.Time, limit int) ([]*casebook.Mail, error) {
	lock := tx.skipLocked()
	return tx.queryMails(ctx, `SELECT `+mailColumns+` FROM mails WHERE state = '`+casebook.DeliveryPending+`' AND next_at <= ?
		ORDER BY next_at, id LIMIT ?`+lock, tx.time(now), tx.limit(limit))
}

// FindMail returns the mail or ENOTFOUND; inside Write it is locked.
func (tx *Tx) FindMail(ctx context.Context, id int64) (*casebook.Mail, error) {
	m, err := scanMail(tx.queryRow(ctx, `SELECT `+mailColumns+` FROM mails WHERE id = ?`+tx.rowLock(" FOR UPDATE"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Mail")
	}
	return m, tx.wrap("find mail", err)
}

// FindMails returns the mails f selects, newest first.
func (tx *Tx) FindMails(ctx context.Context, f casebook.MailFilter) ([]*casebook.Mail, error) {
	var conds []string
	var args []any
	if f.AccountID != "" {
		conds, args = append(conds, "account_id = ?"), append(args, f.AccountID)
	}
	if f.EventID != "" {
		conds, args = append(conds, "event_id = ?"), append(args, f.EventID)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, f.State)
	}
	return tx.queryMails(ctx, `SELECT `+mailColumns+` FROM mails`+where(conds)+` ORDER BY id DESC LIMIT ?`,
		append(args, tx.limit(f.Limit))...)
}

// UpdateMail saves the mail's progress.
func (tx *Tx) UpdateMail(ctx context.Context, m *casebook.Mail) error {
	res, err := tx.exec(ctx, `UPDATE mails SET state = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ?,
		sent_at = ? WHERE id = ?`,
		m.State, m.Attempts, tx.time(m.NextAt), m.LastError, tx.time(m.UpdatedAt), tx.nullTime(m.SentAt), m.ID)
	return tx.affected("update mail", "Mail", res, err)
}

func (tx *Tx) queryMails(ctx context.Context, query string, args ...any) ([]*casebook.Mail, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, tx.wrap("find mails", err)
	}
	defer rows.Close()
	var ms []*casebook.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, tx.wrap("scan mail", err)
		}
		ms = append(ms, m)
	}
	return ms, tx.wrap("find mails", rows.Err())
}

func scanMail(row scanner) (*casebook.Mail, error) {
	var m casebook.Mail
	var event string
	if err := row.Scan(&m.ID, &m.AccountID, &m.EventID, &event, &m.To, &m.Audience, &m.State, &m.Attempts,
		timeCol{&m.NextAt}, &m.LastError, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, nullTimeCol{&m.SentAt}); err != nil {
		return nil, err
	}
	e, err := decodeEvent(event)
	if err != nil {
		return nil, err
	}
	m.Event = e
	return &m, nil
}
