package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// Snapshot writes a consistent copy of the database to dest, which must
// not exist, with VACUUM INTO. It runs on a connection of its own, which
// reads one WAL snapshot: writers go on meanwhile, and the copy holds
// every transaction committed before it started and none after.
func (db *DB) Snapshot(ctx context.Context, dest string) error {
	q := url.Values{"_pragma": {"busy_timeout(10000)", "foreign_keys(1)"}}
	conn, err := sql.Open("sqlite", db.path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}
