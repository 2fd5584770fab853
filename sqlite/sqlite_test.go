package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/storetest"
)

// testDB gives the conformance suite raw SQL on the writer connection.
type testDB struct{ *sqlite.DB }

func (db testDB) ExecSQL(ctx context.Context, query string) error {
	_, err := db.Writer.ExecContext(ctx, query)
	return err
}

// The bounds of the lists cannot be lowered from here; sqlstore's own
// tests run storetest.RunBounds on both engines.

func (db testDB) QueryInt(ctx context.Context, query string) (n int64, err error) {
	err = db.Writer.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// mustOpen opens a new database file in a temporary directory and closes
// it when the test ends.
func mustOpen(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) casebook.Store { return testDB{mustOpen(t)} })
}

// TestOpenDropsSamples checks that Open empties sqlite_stat4: with samples,
// modernc.org/sqlite (built with SQLITE_ENABLE_STAT4) parses and plans a
// prepared statement again on every execution.
func TestOpenDropsSamples(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ANALYZE`, // creates sqlite_stat4
		`INSERT INTO sqlite_stat4 (tbl, idx, neq, nlt, ndlt, sample) VALUES ('cases', 'cases_account', '1 1', '0 0', '0 0', x'0301')`,
	} {
		if _, err := db.Writer.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.DB.Close() // not db.Close: its PRAGMA optimize is not under test here
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat4`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("sqlite_stat4 holds %d rows after Open, want 0", n)
	}
}
