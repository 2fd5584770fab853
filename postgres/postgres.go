// Package postgres is the PostgreSQL store of Casebook: the shared SQL of
// sqlstore over pgx's database/sql driver, with SELECT ... FOR UPDATE row
// locks so that several replicas can serve the same database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// maxConns bounds the pool; PostgreSQL's default max_connections is 100
// and several replicas may share it.
const maxConns = 16

// dialect describes PostgreSQL to sqlstore: $n placeholders, row locks,
// timestamptz times.
var dialect = &sqlstore.Dialect{
	Name:                 "postgres",
	NumberedPlaceholders: true,
	JSONArray:            "json_build_array",
	JSONArrayAgg:         "json_agg",
	RowLocks:             true,
	ILike:                "ILIKE",
	// A 64-bit hash of the key: a collision only makes two unrelated
	// writers wait for each other.
	LockKey:               `SELECT pg_advisory_xact_lock(hashtextextended(CAST(? AS TEXT), 0))`,
	ReturningID:           true, // pgx has no LastInsertId
	EmptyTables:           emptyTables,
	IsUniqueViolation:     func(err error) bool { return hasState(err, "23505") },
	IsForeignKeyViolation: func(err error) bool { return hasState(err, "23503") },
}

func hasState(err error, state string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == state
}

// DB is a Casebook store in a PostgreSQL database (or schema, through the
// DSN's search_path).
type DB struct {
	*sqlstore.DB
}

var _ casebook.Store = (*DB)(nil)

// Open connects to the database and applies the pending migrations, under
// an advisory lock so that replicas starting together migrate once. A
// database migrated by a newer binary is refused.
func Open(ctx context.Context, dsn string) (*DB, error) {
	pool, err := openDB(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns / 2)
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{DB: &sqlstore.DB{Writer: pool, Reader: pool, Dialect: dialect}}, nil
}

// openDB returns a pool of connections of pgx's database/sql driver ("pgx")
// to dsn, a URL or a keyword/value string. The DSN is parsed here, so that
// a malformed one fails Open rather than the first query; pgx prepares and
// caches each statement per connection by itself.
func openDB(dsn string) (*sql.DB, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*config), nil
}

func migrate(ctx context.Context, pool *sql.DB) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	defer conn.Close()
	// One lock per schema: replicas of one database wait for each other,
	// databases in other schemas do not.
	const key = `hashtextextended('casebook.migrate.' || current_schema(), 0)`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return fmt.Errorf("lock for migration: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)

	migrations, err := fs.Sub(migrationFS, "migration")
	if err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	if err := sqlstore.Migrate(ctx, conn, dialect, migrations); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}
