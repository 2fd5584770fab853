package postgres

import (
	"context"
	"fmt"

	"github.com/casebook/casebook/sqlstore"
)

// PrepareBulk readies the store for BulkInsert: PostgreSQL needs nothing,
// cacheMiB is for SQLite's page cache.
func (db *DB) PrepareBulk(ctx context.Context, cacheMiB int) error { return nil }

// FinishBulk vacuums and analyzes the loaded tables after a bulk load:
// the planner statistics must describe the data that is there, and the
// visibility maps are what lets lists and counts read the indexes alone.
func (db *DB) FinishBulk(ctx context.Context) error {
	var stmts []string
	for _, t := range sqlstore.BulkTables() {
		stmts = append(stmts, "VACUUM (ANALYZE) "+t)
	}
	// The live counts, kept by triggers, took one update per row loaded,
	// inside transactions too long for the updates to prune each other:
	// 110 counters filled 13,000 pages after a million rows. VACUUM would
	// leave the pages; FULL rewrites the (small) tables and their indexes.
	stmts = append(stmts, "VACUUM (FULL, ANALYZE) authorization_counts", "VACUUM (FULL, ANALYZE) authorization_day_counts",
		"VACUUM (FULL, ANALYZE) case_status_counts", "VACUUM (FULL, ANALYZE) message_counts")
	for _, stmt := range stmts {
		if _, err := db.Writer.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("finish bulk load: %w", err)
		}
	}
	return nil
}
