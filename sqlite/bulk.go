package sqlite

import (
	"context"
	"fmt"
)

// PrepareBulk readies the writer for loading a large dataset with
// BulkInsert: it gives the writer connection a page cache of cacheMiB and
// keeps its temporary files in memory. The indexes of a big table are
// filled in random order (random ids, times, creators), and with the
// default cache every row would read its index pages back from the file.
// The settings last as long as the connection, so only a loading process
// should call it.
func (db *DB) PrepareBulk(ctx context.Context, cacheMiB int) error {
	// The statement journal of each multi-row INSERT (a copy of every page
	// it changes, for a rollback of the statement alone) stays in memory.
	for _, pragma := range []string{fmt.Sprintf("PRAGMA cache_size = -%d", cacheMiB<<10), "PRAGMA temp_store = MEMORY"} {
		if _, err := db.Writer.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("prepare bulk load: %w", err)
		}
	}
	return nil
}

// FinishBulk brings the planner statistics up to date after a bulk load,
// so that the first queries are planned for the data that is there.
func (db *DB) FinishBulk(ctx context.Context) error {
	if _, err := db.Writer.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("finish bulk load: %w", err)
	}
	return dropSamples(ctx, db.Writer) // see optimize
}
