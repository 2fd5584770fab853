package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats are store-wide figures for the operator's metrics.
type Stats struct {
	GrantsInForce   int64 // authorized, inside their window
	Attachments     int64
	AttachmentBytes int64

	// The notifications' backlog: events not yet dispatched to their
	// deliveries and mails, and deliveries and mails by state.
	OutboxEvents      int64
	DeliveriesPending int64
	DeliveriesDead    int64
	MailsPending      int64
	MailsDead         int64
}

// Stats counts the grants in force at now, the stored attachments and the
// notifications' backlog. It reads whole tables (the accessories one
// through no index): metrics scrapes call it, not requests.
func (db *DB) Stats(ctx context.Context, now time.Time) (Stats, error) {
	var s Stats
	at := db.Dialect.encodeTime(now)
	err := db.Reader.QueryRowContext(ctx, db.Dialect.rebind(`SELECT
		(SELECT COUNT(*) FROM authorizations WHERE status = 1 AND effective_at <= ? AND (expire_at IS NULL OR expire_at > ?)),
		(SELECT COUNT(*) FROM accessories),
		(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM accessories),
		(SELECT COUNT(*) FROM events),
		(SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
		(SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
		(SELECT COUNT(*) FROM mails WHERE state = 'pending'),
		(SELECT COUNT(*) FROM mails WHERE state = 'dead')`), at, at).
		Scan(&s.GrantsInForce, &s.Attachments, &s.AttachmentBytes,
			&s.OutboxEvents, &s.DeliveriesPending, &s.DeliveriesDead, &s.MailsPending, &s.MailsDead)
	if err != nil {
		return Stats{}, fmt.Errorf("read store stats: %w", err)
	}
	return s, nil
}

// Reset deletes every row of every table but the migration records, and
// returns the blob keys of the attachments it deleted, for the caller to
// delete from the blob store. It is the test controls' reset: nothing else
// calls it.
func (db *DB) Reset(ctx context.Context) (blobKeys []string, err error) {
	tx, err := db.Writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reset: begin: %w", err)
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT blob_key FROM accessories`)
	if err != nil {
		return nil, fmt.Errorf("reset: list attachments: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reset: list attachments: %w", err)
		}
		blobKeys = append(blobKeys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reset: list attachments: %w", err)
	}

	if err := db.Dialect.EmptyTables(ctx, tx); err != nil {
		return nil, fmt.Errorf("reset: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("reset: commit: %w", err)
	}
	return blobKeys, nil
}

// AppendOnlyTables are the logs whose triggers refuse every UPDATE, DELETE
// and TRUNCATE: the audit log and the tickets' histories. A Dialect's
// EmptyTables gets past their triggers.
var AppendOnlyTables = []string{"audit_events", "case_events"}

// QueryStrings runs a query of one text column inside tx and returns its
// values.
func QueryStrings(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
