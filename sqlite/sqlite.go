// Package sqlite is the SQLite store of Casebook: the shared SQL of sqlstore
// over modernc.org/sqlite (pure Go), in WAL mode, with one writer connection
// and a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// readConns is the size of the read pool.
const readConns = 8

// Page cache of each connection, in KiB. SQLite's caches take about
// twice their nominal size in resident memory (finding 9 in
// docs/benchmarks.md), so the caches of the ten connections (a writer,
// eight readers, the checkpointer) are most of the server's resident
// size. With 4 MB each it reached 126.5 MB under load at 1M
// authorizations. The readers' 2 MB and the checkpointer's 256 KB (it
// runs checkpoints only) bring that to 88 MB, with the detail, the list
// and confirmations as fast as before (finding 28). The writer keeps
// 4 MB: 32 MB did not make confirmations faster.
const (
	writerCacheKiB       = 4000
	readerCacheKiB       = 2000
	checkpointerCacheKiB = 256
)

// cacheSize is the pragma that sets a connection's page cache to kib KiB.
func cacheSize(kib int) string { return fmt.Sprintf("cache_size(-%d)", kib) }

// busyTimeout is how long, in milliseconds, a connection waits for a lock
// that another connection holds (another process's writer, a checkpoint).
const busyTimeout = 10000

// dialect describes SQLite to sqlstore: times as unix milliseconds, no row
// locks (all writers are serialised on one connection).
var dialect = &sqlstore.Dialect{
	Name:            "sqlite",
	TimeAsUnixMilli: true,
	ILike:           "LIKE", // case-insensitive for ASCII already
	// Parsing and planning were a third of the CPU of the HTTP
	// benchmarks before statements were kept prepared.
	PrepareStatements: true,
	// One writer: writers queueing for it share its commit (sqlstore's
	// group.go).
	GroupCommit:     true,
	ReadOneDetached: true,
	JSONArray:       "json_array",
	JSONArrayAgg:    "json_group_array",
	RowAsJSON:       true,
	EmptyTables:     emptyTables,
	IsUniqueViolation: func(err error) bool {
		return hasCode(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	IsForeignKeyViolation: func(err error) bool { return hasCode(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) },
}

func hasCode(err error, codes ...int) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code() == c {
			return true
		}
	}
	return false
}

// DB is a Casebook store in one SQLite file.
type DB struct {
	*sqlstore.DB
	path         string
	checkpointer *checkpointer
}

var _ casebook.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// the pending migrations. A database migrated by a newer binary is refused.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite: invalid path %q", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout))
	common.Add("_pragma", "synchronous(NORMAL)")
	common.Add("_pragma", "foreign_keys(1)")
	// No memory-mapped I/O: pages are read with a system call each. With
	// writes going on, a mapping cost two to three times the CPU per
	// request, spent on the first touch of mapped pages
	// (docs/benchmarks.md, finding 5).
	common.Add("_pragma", "mmap_size(0)")
	// Each pool sets its own page cache (cacheSize): the driver applies
	// the _pragma values sorted, so a second cache_size would not
	// override the first as written.

	// The writer checkpoints only as a backstop: see checkpoint.go. Its
	// temporary files are in memory: a grouped writer runs in a savepoint
	// (sqlstore's group.go), whose journal of the pages it changes went to
	// a temporary file past 64 KB, two system calls a page, a fifth of a
	// ConfirmAuthorizations' CPU (docs/benchmarks.md, finding 11).
	wq := url.Values{"_pragma": append([]string{"journal_mode(WAL)", "temp_store(MEMORY)",
		fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages), fmt.Sprintf("journal_size_limit(%d)", walSizeLimit),
		cacheSize(writerCacheKiB)}, common["_pragma"]...)}
	// The writer writes the log's frames a commit at a time (walvfs.go).
	if err := registerWALVFS(); err != nil {
		return nil, err
	}
	wq.Set("vfs", walVFSName)
	// BEGIN IMMEDIATE: a writer takes the write lock when it starts, not
	// when it first writes, so it never has to fail halfway on SQLITE_BUSY.
	wq.Set("_txlock", "immediate")
	// One writer connection: SQLite has one writer at a time anyway, and
	// waiting in the pool is cheaper than spinning on the busy handler.
	writer, err := openPool(path, wq, 1)
	if err != nil {
		return nil, err
	}

	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}

	// Before the readers open, so that they load the statistics as left.
	if err := optimize(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}

	rq := url.Values{"_pragma": append([]string{"query_only(1)", cacheSize(readerCacheKiB)}, common["_pragma"]...)}
	reader, err := openPool(path, rq, readConns)
	if err != nil {
		writer.Close()
		return nil, err
	}
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}

	cp, err := startCheckpointer(path, append([]string{fmt.Sprintf("journal_size_limit(%d)", walSizeLimit),
		cacheSize(checkpointerCacheKiB)}, common["_pragma"]...), writer)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	return &DB{DB: &sqlstore.DB{Writer: writer, Reader: reader, Dialect: dialect}, path: path, checkpointer: cp}, nil
}

// openPool opens a pool of conns connections to path with the DSN
// parameters q, kept open for the life of the store (a new connection
// would start with an empty page cache and prepare its statements again).
func openPool(path string, q url.Values, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// createPrivate creates an empty database file readable by its owner
// only, unless it exists. SQLite gives the -wal and -shm files the mode of
// the database file, so they are private too; left to SQLite, all three
// would be 0644 under the usual umask, and they hold password hashes and
// sealed secrets. An existing file keeps the mode its operator chose.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("create sqlite database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create sqlite database file: %w", err)
	}
	return nil
}

// Close records fresh planner statistics if needed and closes the
// connections.
func (db *DB) Close() error {
	db.Writer.Exec("PRAGMA optimize") // best effort: the data is safe either way
	err := errors.Join(db.checkpointer.close(), db.DB.Close())
	if err == nil {
		err = removeWAL(db.path)
	}
	return err
}

// removeWAL checkpoints and removes a -wal file left behind by Close.
// SQLite removes it when the last connection closes, but when two
// connections close at the same moment (a writer and a reader being
// released), each may see the other still open and leave it. One more
// connection, opened and closed alone, finishes the job.
func removeWAL(path string) error {
	if _, err := os.Stat(path + "-wal"); err != nil {
		return nil // no file (or nothing we could do about it)
	}
	conn, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	var n int
	qerr := conn.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n)
	if err := errors.Join(qerr, conn.Close()); err != nil {
		return fmt.Errorf("close sqlite: checkpoint: %w", err)
	}
	return nil
}

// optimize refreshes the planner's statistics where they are missing or
// stale (cheap, and SQLite's advice for long-lived connections), then
// drops the sampled statistics of sqlite_stat4, keeping sqlite_stat1's.
// modernc.org/sqlite is built with SQLITE_ENABLE_STAT4: with samples, a
// statement whose parameter meets an indexed column is marked expired
// whenever a value is bound, and every execution parses and plans it again
// (a third of the CPU of ShowAuthorizationDetail: docs/benchmarks.md,
// finding 6). The plans of Casebook's queries do not depend on the values.
func optimize(ctx context.Context, writer *sql.DB) error {
	if _, err := writer.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return fmt.Errorf("optimize sqlite: %w", err)
	}
	return dropSamples(ctx, writer)
}

// dropSamples empties sqlite_stat4, if there is one, and has the
// connection reload its statistics.
func dropSamples(ctx context.Context, writer *sql.DB) error {
	var n int
	err := writer.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("optimize sqlite: %w", err)
	} else if n == 0 {
		return nil
	}
	if _, err := writer.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return fmt.Errorf("optimize sqlite: drop samples: %w", err)
	}
	// ANALYZE sqlite_schema re-reads the statistics tables.
	if _, err := writer.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
		return fmt.Errorf("optimize sqlite: reload statistics: %w", err)
	}
	return nil
}

// Path returns the file name of the database.
func (db *DB) Path() string { return db.path }

func migrate(ctx context.Context, writer *sql.DB) error {
	conn, err := writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	defer conn.Close()
	migrations, err := fs.Sub(migrationFS, "migration")
	if err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	if err := sqlstore.Migrate(ctx, conn, dialect, migrations); err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	return nil
}
