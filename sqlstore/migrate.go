package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"time"
)

// Migrate applies the *.sql files of fsys that have not been applied yet,
// in name order, each in its own transaction, and records their names in
// the migrations table. It refuses a database that has applied a migration
// this binary does not know: that schema is newer than the code.
//
// conn is a single connection so that callers can hold a lock (such as a
// PostgreSQL advisory lock) around the whole run.
func Migrate(ctx context.Context, conn *sql.Conn, d *Dialect, fsys fs.FS) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name TEXT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}

	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	slices.Sort(names)

	applied := make(map[string]bool)
	rows, err := conn.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("read applied migrations: %w", err)
		}
		applied[name] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	for name := range applied {
		if !slices.Contains(names, name) {
			return fmt.Errorf("database schema is newer than this binary: unknown migration %q", name)
		}
	}

	for _, name := range names {
		if applied[name] {
			continue
		}
		if err := migrateFile(ctx, conn, d, fsys, name); err != nil {
			return fmt.Errorf("migration %s: %w", path.Base(name), err)
		}
	}
	return nil
}

func migrateFile(ctx context.Context, conn *sql.Conn, d *Dialect, fsys fs.FS, name string) error {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO migrations (name, applied_at) VALUES (?, ?)`),
		name, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}
