package postgres

import (
	"context"
	"database/sql"
)

// OpenRaw opens a pool without migrating, for the tests' own schema
// management.
func OpenRaw(ctx context.Context, dsn string) (*sql.DB, error) { return openDB(dsn) }
