package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
