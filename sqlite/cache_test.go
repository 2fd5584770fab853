package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestPageCacheSizes: each pool runs with its own page cache. The driver
// applies the DSN's pragmas sorted, so a cache_size added twice would
// leave the one that sorts last, whatever the code meant.
func TestPageCacheSizes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		pool *sql.DB
		name string
		kib  int
	}{
		{db.Writer, "writer", writerCacheKiB},
		{db.Reader, "reader", readerCacheKiB},
		{db.checkpointer.conn, "checkpointer", checkpointerCacheKiB},
	} {
		var n int
		if err := c.pool.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n != -c.kib {
			t.Errorf("%s: cache_size %d, want %d (KiB)", c.name, n, -c.kib)
		}
	}
}
