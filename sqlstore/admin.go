package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

	listTables := `SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'migrations' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if db.Dialect.Name == "postgres" {
		listTables = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migrations'`
	}
	var tables []string
	rows, err = tx.QueryContext(ctx, listTables)
	if err != nil {
		return nil, fmt.Errorf("reset: list tables: %w", err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reset: list tables: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reset: list tables: %w", err)
	}

	if db.Dialect.Name == "postgres" {
		// TRUNCATE of all tables at once satisfies the foreign keys and
		// fires no row triggers.
		quoted := make([]string, len(tables))
		for i, t := range tables {
			quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		// The append-only logs refuse TRUNCATE by triggers, which the
		// reset alone lifts, inside its transaction.
		var stmts []string
		for _, t := range appendOnlyTables {
			stmts = append(stmts, `ALTER TABLE `+t+` DISABLE TRIGGER USER`)
		}
		stmts = append(stmts, "TRUNCATE "+strings.Join(quoted, ", ")+" RESTART IDENTITY")
		for _, t := range appendOnlyTables {
			stmts = append(stmts, `ALTER TABLE `+t+` ENABLE TRIGGER USER`)
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return nil, fmt.Errorf("reset: %w", err)
			}
		}
	} else {
		// Foreign keys are checked at commit, when every table is empty.
		// The delete triggers of the authorization counters write rows
		// while the tables empty: the second pass removes them.
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return nil, fmt.Errorf("reset: %w", err)
		}
		// The append-only logs refuse deletes by triggers: they are
		// dropped and created again inside the transaction.
		triggers, err := appendOnlyTriggers(ctx, tx)
		if err != nil {
			return nil, err
		}
		for name := range triggers {
			if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+name+`"`); err != nil {
				return nil, fmt.Errorf("reset: %w", err)
			}
		}
		for pass := 0; pass < 2; pass++ {
			for _, t := range tables {
				if _, err := tx.ExecContext(ctx, `DELETE FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`); err != nil {
					return nil, fmt.Errorf("reset: empty %s: %w", t, err)
				}
			}
		}
		for _, create := range triggers {
			if _, err := tx.ExecContext(ctx, create); err != nil {
				return nil, fmt.Errorf("reset: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("reset: commit: %w", err)
	}
	return blobKeys, nil
}

// appendOnlyTables are the logs whose triggers refuse every UPDATE, DELETE
// and TRUNCATE: the audit log and the tickets' histories.
var appendOnlyTables = []string{"audit_events", "case_events"}

// appendOnlyTriggers returns the SQLite triggers of the append-only logs,
// by name, with the statements that create them.
func appendOnlyTriggers(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('`+strings.Join(appendOnlyTables, "', '")+`')`)
	if err != nil {
		return nil, fmt.Errorf("reset: list triggers: %w", err)
	}
	defer rows.Close()
	triggers := map[string]string{}
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("reset: list triggers: %w", err)
		}
		triggers[name] = create
	}
	return triggers, rows.Err()
}
