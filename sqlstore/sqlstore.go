// Package sqlstore implements casebook.Store over database/sql. The SQL is
// shared by the sqlite and postgres packages; the few differences between
// the two engines (placeholders, row locks, time encoding, error codes) are
// described by a Dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// Dialect describes what differs between the SQL engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// GroupCommit has writers that queue for the one writer share its
	// transaction (group.go), for engines with a single writer.
	GroupCommit bool
	// ReadOneDetached has ReadOne's statement ignore the cancellation of
	// its context. modernc.org/sqlite starts a goroutine to watch the
	// context of every statement, which cost a detail read more than the
	// read of one row by key that ReadOne runs can last (SQLite, where no
	// read waits for a lock; docs/benchmarks.md, finding 21).
	ReadOneDetached bool
	// JSONArray and JSONArrayAgg name the engine's functions that make a
	// JSON array of their arguments and of the values of a group: an
	// authorization's items are read as one column (items_json.go).
	JSONArray, JSONArrayAgg string
	// RowAsJSON reads an authorization by key as one JSON array built by
	// JSONArray instead of one column a field (items_json.go): the driver
	// pays for every column of a row (its name, its declared type, a
	// conversion), a tenth of a detail read on SQLite. Needs
	// TimeAsUnixMilli, so that times are numbers in the array.
	RowAsJSON bool
	// NumberedPlaceholders rewrites "?" placeholders to "$1", "$2", ...
	NumberedPlaceholders bool
	// RowLocks enables SELECT ... FOR UPDATE inside Write and SKIP LOCKED
	// for the sweeper. Engines without row locks (SQLite) must serialise
	// all writers instead.
	RowLocks bool
	// TimeAsUnixMilli stores times as INTEGER unix milliseconds; otherwise
	// they are passed to the driver as UTC time.Time (timestamptz).
	TimeAsUnixMilli bool
	// ILike is the operator for case-insensitive LIKE ("LIKE" on SQLite,
	// which ignores ASCII case already; "ILIKE" on PostgreSQL).
	ILike string
	// PrepareStatements keeps the statements of each pool prepared, for
	// engines that would otherwise parse and plan every query on every
	// call (SQLite; pgx prepares and caches statements by itself).
	PrepareStatements bool
	// LockKey is a statement taking a lock on the text key ? until the
	// transaction ends, for writers that must not interleave though they
	// touch no common row ("SELECT pg_advisory_xact_lock(...)"). Empty on
	// engines that serialise all writers (SQLite).
	LockKey string
	// ReturningID: an insert returns its row's generated id with RETURNING,
	// for drivers without Result.LastInsertId (pgx).
	ReturningID bool
	// EmptyTables empties every table but the migration records inside
	// tx, for the test controls' reset (DB.Reset): each engine has its own
	// way past the foreign keys and the triggers of AppendOnlyTables.
	EmptyTables func(ctx context.Context, tx *sql.Tx) error
	// IsUniqueViolation reports whether err is a unique or primary key
	// constraint violation of the driver.
	IsUniqueViolation func(err error) bool
	// IsForeignKeyViolation reports whether err is a foreign key violation.
	IsForeignKeyViolation func(err error) bool
}

// rebind rewrites the ? placeholders of query for the dialect. Queries in
// this package never contain a literal question mark.
func (d *Dialect) rebind(query string) string {
	if !d.NumberedPlaceholders || strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// encodeTime converts t to the stored representation: UTC, millisecond
// precision.
func (d *Dialect) encodeTime(t time.Time) any {
	t = t.UTC().Truncate(time.Millisecond)
	if d.TimeAsUnixMilli {
		return t.UnixMilli()
	}
	return t
}

// encodeNullTime is encodeTime for optional times.
func (d *Dialect) encodeNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.encodeTime(*t)
}

// DB is a casebook.Store over one or two connection pools: Write uses
// Writer, Read uses Reader (which may be the same pool).
type DB struct {
	Writer  *sql.DB
	Reader  *sql.DB
	Dialect *Dialect
	// maxCountedTotal overrides casebook.MaxCountedTotal when positive,
	// so that tests reach the bound with a few rows (export_test.go).
	maxCountedTotal int
	// skipDaysFrom overrides the offset from which the customer lists of
	// authorizations skip whole days when positive, so that tests take
	// that path with a few rows.
	skipDaysFrom int

	// The prepared statements of Writer and Reader, if the dialect keeps
	// them.
	writerStmts, readerStmts stmtCache

	group group // the writers of a GroupCommit dialect
}

var _ casebook.Store = (*DB)(nil)

// Read runs fn in a read-only transaction on the read pool.
func (db *DB) Read(ctx context.Context, fn func(casebook.Tx) error) error {
	return db.run(ctx, db.Reader, &db.readerStmts, &sql.TxOptions{ReadOnly: true}, false, fn)
}

// Write runs fn in a read-write transaction and commits if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(casebook.Tx) error) error {
	if db.Dialect.GroupCommit {
		return db.writeGrouped(ctx, func(tx *Tx) error { return fn(tx) })
	}
	return db.run(ctx, db.Writer, &db.writerStmts, nil, true, fn)
}

// ReadOne runs fn, which makes a single statement, on the read pool
// without a transaction: see casebook.Store.
func (db *DB) ReadOne(ctx context.Context, fn func(casebook.Tx) error) error {
	tx := db.newTx(db.Reader, &db.readerStmts, false)
	tx.pool, tx.single, tx.detached = db.Reader, true, db.Dialect.ReadOneDetached
	return fn(tx)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, stmts *stmtCache, opts *sql.TxOptions, write bool, fn func(casebook.Tx) error) (err error) {
	return db.runTx(ctx, pool, stmts, opts, write, func(tx *Tx) error { return fn(tx) })
}

// runTx is run for callers inside the package, which use the *Tx itself.
func (db *DB) runTx(ctx context.Context, pool *sql.DB, stmts *stmtCache, opts *sql.TxOptions, write bool, fn func(*Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := db.newTx(pool, stmts, write)
	tx.tx = sqlTx
	// Roll back on every way out but a commit: an error, a panic, or
	// runtime.Goexit (t.Fatal in a test), which would otherwise keep the
	// connection, and on SQLite the only writer, forever.
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return tx.wrap("commit", err)
	}
	return nil
}

// newTx returns a Tx of the pool, without its transaction.
func (db *DB) newTx(pool *sql.DB, stmts *stmtCache, write bool) *Tx {
	tx := &Tx{d: db.Dialect, write: write, maxCounted: casebook.MaxCountedTotal, skipDaysFrom: skipDaysFrom}
	if db.Dialect.PrepareStatements {
		stmts.init(pool)
		tx.stmts = stmts
	}
	if db.maxCountedTotal > 0 {
		tx.maxCounted = db.maxCountedTotal
	}
	if db.skipDaysFrom > 0 {
		tx.skipDaysFrom = db.skipDaysFrom
	}
	return tx
}

// Close closes the prepared statements and both pools, and waits until
// their connections are closed.
func (db *DB) Close() error {
	db.closeGroup()
	err := errors.Join(db.writerStmts.close(), db.readerStmts.close(), db.Writer.Close())
	if db.Reader != nil && db.Reader != db.Writer {
		if rerr := db.Reader.Close(); err == nil {
			err = rerr
		}
	}
	waitConnectionsClosed(closeWait, db.Writer, db.Reader)
	return err
}

// closeWait bounds how long Close waits for connections to close.
const closeWait = 5 * time.Second

// waitConnectionsClosed waits, up to limit, until the pools have no open
// connection. sql.DB.Close closes idle connections at once but a
// connection still being released closes a moment later, and with it
// SQLite checkpoints and removes its -wal and -shm files: a caller that
// copies or removes the database right after Close must not race with
// that (seen as "directory not empty" when a test's temporary directory
// was removed).
func waitConnectionsClosed(limit time.Duration, pools ...*sql.DB) {
	deadline := time.Now().Add(limit)
	for _, p := range pools {
		for p != nil && p.Stats().OpenConnections > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
}

// Tx is one transaction; it implements casebook.Tx.
type Tx struct {
	tx *sql.Tx // nil in ReadOne, which runs statements on pool
	// pool and single are set by ReadOne: its one statement runs on pool,
	// outside a transaction, and a second one panics.
	pool       *sql.DB
	single     bool
	statements int
	// detached: the statements ignore the cancellation of their context
	// (a grouped writer's: see group.go; ReadOne's on some engines).
	detached     bool
	d            *Dialect
	write        bool
	maxCounted   int        // bound of the totals of lists
	skipDaysFrom int        // see pageVisibleAuthorizations
	stmts        *stmtCache // prepared statements of the pool, or nil
	// rowsOpen holds the texts of the prepared statements whose rows a
	// caller of query may still be reading: running one again would reset
	// them (SQLite has one handle per statement and connection), so it
	// runs unprepared for the rest of the transaction.
	rowsOpen map[string]bool
	// journals, in a group's writer, holds the rows it appends to the
	// journals until the group ends (journalBatch).
	journals *journalBatch
}

var _ casebook.Tx = (*Tx)(nil)

// exec, query and queryRow run a query of this package in the dialect's
// terms, as a prepared statement when the pool has one for it.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.single {
		// Outside a transaction nothing would make the write read-only
		// (PostgreSQL's read pool may be the writer's).
		return nil, errors.New("sqlstore: a write in ReadOne")
	}
	query = tx.d.rebind(query)
	ctx = tx.context(ctx)
	tx.begin(query)
	if stmt := tx.stmt(ctx, query, false); stmt != nil {
		return stmt.ExecContext(ctx, args...)
	}
	return tx.conn().ExecContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = tx.d.rebind(query)
	ctx = tx.context(ctx)
	tx.begin(query)
	if stmt := tx.stmt(ctx, query, true); stmt != nil {
		return stmt.QueryContext(ctx, args...)
	}
	return tx.conn().QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = tx.d.rebind(query)
	ctx = tx.context(ctx)
	tx.begin(query)
	if stmt := tx.stmt(ctx, query, false); stmt != nil { // callers scan the row at once
		return stmt.QueryRowContext(ctx, args...)
	}
	return tx.conn().QueryRowContext(ctx, query, args...)
}

// insertID runs insert, an INSERT of one row, and returns the id that the
// row's column idColumn was given: from RETURNING on drivers without
// LastInsertId (pgx), else from the result. On SQLite RETURNING opens a
// row cursor that cost more than the insert's own work: on the
// confirmation's path, the history event and the audit row took 31-37 µs
// each with it (docs/benchmarks.md, finding 21).
func (tx *Tx) insertID(ctx context.Context, insert, idColumn string, args ...any) (int64, error) {
	var id int64
	if tx.d.ReturningID {
		err := tx.queryRow(ctx, insert+` RETURNING `+idColumn, args...).Scan(&id)
		return id, err
	}
	res, err := tx.exec(ctx, insert, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// context returns the context of a statement of the transaction.
func (tx *Tx) context(ctx context.Context) context.Context {
	if tx.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// conn returns what runs a statement: the transaction, or in ReadOne the
// pool.
func (tx *Tx) conn() interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
} {
	if tx.tx == nil {
		return tx.pool
	}
	return tx.tx
}

// begin counts a statement about to run. ReadOne runs one SELECT: a second
// statement would read another snapshot than the first, and a write (an
// INSERT ... RETURNING, say) would commit on its own; both are
// programming errors.
func (tx *Tx) begin(query string) {
	tx.statements++
	if tx.single && tx.statements > 1 {
		panic("sqlstore: a second statement in ReadOne")
	} else if tx.single && !strings.HasPrefix(query, "SELECT") {
		panic("sqlstore: ReadOne runs a SELECT only")
	}
}

// stmt returns the pool's prepared statement for query, bound to the
// transaction, or nil to run the query unprepared. keepsRows says that the
// caller gets the rows to read at its own pace.
func (tx *Tx) stmt(ctx context.Context, query string, keepsRows bool) *sql.Stmt {
	if tx.stmts == nil || tx.rowsOpen[query] {
		return nil
	}
	stmt := tx.stmts.stmt(query)
	if stmt == nil {
		return nil
	}
	if tx.tx == nil {
		return stmt
	}
	if keepsRows {
		if tx.rowsOpen == nil {
			tx.rowsOpen = make(map[string]bool)
		}
		tx.rowsOpen[query] = true
	}
	return tx.tx.StmtContext(ctx, stmt)
}

// forUpdate returns the row-locking clause for single-row finds: a lock on
// the rows of table alias until commit inside Write on engines with row
// locks, nothing otherwise (SQLite serialises writers).
func (tx *Tx) forUpdate(alias string) string {
	return tx.rowLock(" FOR UPDATE OF " + alias)
}

// skipLocked claims rows for one worker: locked until commit, and rows
// another writer holds are skipped (the outbox's queues).
func (tx *Tx) skipLocked() string { return tx.rowLock(" FOR UPDATE SKIP LOCKED") }

// rowLock returns clause inside Write on an engine with row locks, and ""
// elsewhere (SQLite's single writer serialises anyway).
func (tx *Tx) rowLock(clause string) string {
	if tx.write && tx.d.RowLocks {
		return clause
	}
	return ""
}

// Arguments and fragments in the dialect's terms. Substring searches are
// case-insensitive LIKE with the wildcards of the search escaped.
func (tx *Tx) time(t time.Time) any      { return tx.d.encodeTime(t) }
func (tx *Tx) nullTime(t *time.Time) any { return tx.d.encodeNullTime(t) }
func (tx *Tx) likeArg(substr string) any { return "%" + escapeLike(substr) + "%" }
func (tx *Tx) like(column string) string { return column + " " + tx.d.ILike + ` ? ESCAPE '\'` }
func (tx *Tx) limit(n int) int64         { return pageLimit(n) }
func (tx *Tx) offset(n int) int64        { return int64(max(n, 0)) }

// opaqueTime and opaqueInt are a placeholder of a time and of an integer
// that PostgreSQL's planner does not look into (a sub-select), so that it
// estimates a statement alike with and without its values, and keeps one
// generic plan. Given the values, a feed cursor or a page's limit, its
// custom plan reads a few rows where the generic plan guesses a fraction
// of the range; past some size the generic plan then looks too dear, and
// every call is planned again (docs/benchmarks.md).
func (tx *Tx) opaqueTime() string {
	if tx.d.TimeAsUnixMilli {
		return "(SELECT CAST(? AS INTEGER))"
	}
	return "(SELECT CAST(? AS TIMESTAMPTZ))"
}
func (tx *Tx) opaqueInt() string { return "(SELECT CAST(? AS BIGINT))" }

func (tx *Tx) isUnique(err error) bool {
	return tx.d.IsUniqueViolation != nil && tx.d.IsUniqueViolation(err)
}
func (tx *Tx) isForeignKey(err error) bool {
	return tx.d.IsForeignKeyViolation != nil && tx.d.IsForeignKeyViolation(err)
}

// wrap adds a short action to a driver error and translates constraint
// violations into domain errors.
func (tx *Tx) wrap(action string, err error) error {
	switch {
	case err == nil:
		return nil
	case tx.isUnique(err):
		return &casebook.Error{Code: casebook.ECONFLICT, Message: "Already exists."}
	case tx.isForeignKey(err):
		return &casebook.Error{Code: casebook.EINVALID, Message: "Refers to something that does not exist."}
	}
	var e *casebook.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", action, err)
}

// pageLimit turns a page size into a LIMIT argument; zero or less means no
// limit.
func pageLimit(n int) int64 {
	if n <= 0 {
		return 1<<62 - 1
	}
	return int64(n)
}

// matchNothing is a condition no row meets.
const matchNothing = "1 = 0"

// searchable reports whether a substring search for s can be sent as a
// LIKE pattern. A NUL cannot: SQLite's LIKE stops reading the pattern at
// it (so "%\x00x%" would be "%", matching everything) and PostgreSQL
// refuses it in text. No stored text holds one, so such a search matches
// nothing; the Service refuses it before it gets here.
func searchable(s string) bool { return !strings.ContainsRune(s, 0) }

// escapeLike escapes the LIKE wildcards of s; the queries use ESCAPE '\'.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// placeholders returns "?, ?, ..." with n placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// nullString stores the empty string as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeCol scans a stored time (unix ms or timestamptz) into a UTC
// time.Time with millisecond precision.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	t, ok, err := decodeTime(v)
	if err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("unexpected NULL time")
	}
	*c.t = t
	return nil
}

// nullTimeCol scans an optional time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(v any) error {
	t, ok, err := decodeTime(v)
	if err != nil {
		return err
	} else if !ok {
		*c.t = nil
		return nil
	}
	*c.t = &t
	return nil
}

func decodeTime(v any) (time.Time, bool, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case int64:
		return time.UnixMilli(v).UTC(), true, nil
	case time.Time:
		return v.UTC().Truncate(time.Millisecond), true, nil
	default:
		return time.Time{}, false, fmt.Errorf("cannot scan %T into a time", v)
	}
}

// nullStringCol scans an optional string; NULL becomes "".
type nullStringCol struct{ s *string }

func (c nullStringCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T into a string", v)
	}
	return nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// notFound returns an ENOTFOUND error naming the kind of object.
func notFound(what string) error {
	return casebook.NotFoundf("%s not found.", what)
}

// queryIDs runs a query returning one string column.
func (tx *Tx) queryIDs(ctx context.Context, action, query string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, tx.wrap(action, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, tx.wrap(action, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.wrap(action, err)
	}
	return ids, nil
}

// page returns the ids of one page of a list and the total count. The ids
// come first, from an index alone, and the callers read the rows of the
// page by id afterwards: the rows skipped by a deep offset are never read
// from the table. The total is counted only when the page does not tell it
// (a page shorter than the limit ends the list), and then only up to
// tx.maxCounted rows, or to the end of the page if that is further: a
// larger total is reported as that bound, so the cost of a count does not
// grow with the list beyond the cost of reaching its deepest page.
func (tx *Tx) page(ctx context.Context, action, from, idColumn, order string, conds []string, args []any, offset, limit int) ([]string, int, error) {
	offset = max(offset, 0)
	ids, err := tx.pageIDs(ctx, action, from, idColumn, order, conds, args, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	total, err := tx.pageTotal(ctx, action, from, conds, args, offset, limit, len(ids))
	return ids, total, err
}

// pageTotal returns the total of a list of which the page from offset
// (of limit rows; all from offset if limit <= 0) held n: counted, up to
// the bound, only if the page does not tell.
func (tx *Tx) pageTotal(ctx context.Context, action, from string, conds []string, args []any, offset, limit, n int) (int, error) {
	offset = max(offset, 0)
	if total, ok := pageTells(offset, limit, n); ok {
		return total, nil
	}
	// The bound is written literally: as a parameter, PostgreSQL's cached
	// generic plan cannot see it, guesses a tenth of the table and scans
	// all of it instead of the index (docs/benchmarks.md).
	bound := max(tx.maxCounted, offset+max(limit, 0))
	return tx.count(ctx, action,
		`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+where(conds)+` LIMIT `+strconv.Itoa(bound)+`) counted`,
		args...)
}

// pageIDs returns the ids of the rows from offset to offset+limit of a
// list (all of them from offset if limit <= 0).
func (tx *Tx) pageIDs(ctx context.Context, action, from, idColumn, order string, conds []string, args []any, offset, limit int) ([]string, error) {
	return tx.queryIDs(ctx, action,
		`SELECT `+idColumn+` FROM `+from+where(conds)+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(slices.Clone(args), pageLimit(limit), int64(max(offset, 0)))...)
}

// count runs a COUNT query.
func (tx *Tx) count(ctx context.Context, action, query string, args ...any) (int, error) {
	var n int
	if err := tx.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, tx.wrap(action, err)
	}
	return n, nil
}

// pageTells returns the total of a list whose page from offset (of limit
// rows; all from offset if limit <= 0) held n rows, when the page alone
// tells it: it is the last page, and not one past the end.
func pageTells(offset, limit, n int) (int, bool) {
	if (n > 0 || offset == 0) && (limit <= 0 || n < limit) {
		return offset + n, true
	}
	return 0, false
}

// anyArgs converts a slice of strings into query arguments.
func anyArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

// where joins conditions with AND; an empty list matches everything.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}
