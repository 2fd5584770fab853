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
