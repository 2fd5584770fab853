package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

// MigrationsBefore returns the migrations in dir that sort before first,
// for tests that build a schema of an earlier version, fill it, and let
// Open migrate it.
func MigrationsBefore(dir, first string) (fstest.MapFS, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	fsys := fstest.MapFS{}
	for _, name := range names {
		base := filepath.Base(name)
		if base >= first {
			break
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		fsys[base] = &fstest.MapFile{Data: b}
	}
	if len(fsys) == 0 {
		return nil, fmt.Errorf("no migration in %s before %s", dir, first)
	}
	return fsys, nil
}

// SeedEarlierSchema seeds 1,200 authorizations on conn
// (SeedAuthorizationsBeforeCaseCopy, whose rows also fit the schemas after
// the copies until the credential flag was dropped: the copies have
// defaults), runs more on it if given, and closes conn, for the migration
// tests that then open the store on it.
func SeedEarlierSchema(t *testing.T, conn *sql.Conn, timeExpr func(ms string) string, more func(context.Context, RawSQL) error) *Seed {
	t.Helper()
	ctx := context.Background()
	raw := ConnSQL{Conn: conn}
	seed, err := SeedAuthorizationsBeforeCaseCopy(ctx, raw, 1200, timeExpr)
	if err == nil && more != nil {
		err = more(ctx, raw)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	return seed
}

// ConnSQL gives the seeding helpers raw SQL on one connection.
type ConnSQL struct{ *sql.Conn }

func (c ConnSQL) ExecSQL(ctx context.Context, query string) error {
	_, err := c.ExecContext(ctx, query)
	return err
}

func (c ConnSQL) QueryInt(ctx context.Context, query string) (n int64, err error) {
	err = c.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}
