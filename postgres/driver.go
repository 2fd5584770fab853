package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// The pgx module's own database/sql adapter (pgx/v5/stdlib) pulls in its
// connection pool package and that package's module, which this module does
// not carry. The adapter below is the small part of it Casebook needs: one
// pgx.Conn per database/sql connection, queries, transactions, pings.

// connector opens pgx connections for database/sql.
type connector struct {
	config *pgx.ConnConfig
}

// openDB returns a *sql.DB of pgx connections to dsn, a URL or a
// keyword/value string as understood by pgx.ParseConfig.
func openDB(dsn string) (*sql.DB, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&connector{config: config}), nil
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, c.config.Copy())
	if err != nil {
		return nil, err
	}
	return &pgxConn{conn: conn}, nil
}

func (c *connector) Driver() driver.Driver { return pgxDriver{} }

// pgxDriver exists because driver.Connector must name a Driver; connections
// are only made through the connector.
type pgxDriver struct{}

func (pgxDriver) Open(dsn string) (driver.Conn, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return (&connector{config: config}).Connect(context.Background())
}

type pgxConn struct {
	conn *pgx.Conn
}

var (
	_ driver.Conn               = (*pgxConn)(nil)
	_ driver.ConnBeginTx        = (*pgxConn)(nil)
	_ driver.ExecerContext      = (*pgxConn)(nil)
	_ driver.QueryerContext     = (*pgxConn)(nil)
	_ driver.Pinger             = (*pgxConn)(nil)
	_ driver.SessionResetter    = (*pgxConn)(nil)
	_ driver.Validator          = (*pgxConn)(nil)
	_ driver.NamedValueChecker  = (*pgxConn)(nil)
	_ driver.ConnPrepareContext = (*pgxConn)(nil)
)

func (c *pgxConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns a statement that runs through the connection;
// pgx prepares and caches statements itself.
func (c *pgxConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	return &pgxStmt{conn: c, query: query}, nil
}

func (c *pgxConn) Close() error {
	return c.conn.Close(context.Background())
}

func (c *pgxConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgxConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	var txOpts pgx.TxOptions
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadCommitted:
		txOpts.IsoLevel = pgx.ReadCommitted
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		txOpts.IsoLevel = pgx.RepeatableRead
	case sql.LevelSerializable:
		txOpts.IsoLevel = pgx.Serializable
	default:
		return nil, fmt.Errorf("unsupported isolation level %v", sql.IsolationLevel(opts.Isolation))
	}
	if opts.ReadOnly {
		txOpts.AccessMode = pgx.ReadOnly
	}
	tx, err := c.conn.BeginTx(ctx, txOpts)
	if err != nil {
		return nil, err
	}
	return pgxTx{tx: tx}, nil
}

// CheckNamedValue passes every argument to pgx, which encodes Go values
// itself.
func (c *pgxConn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c *pgxConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	tag, err := c.conn.Exec(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *pgxConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	rows, err := c.conn.Query(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	return &pgxRows{rows: rows}, nil
}

func (c *pgxConn) Ping(ctx context.Context) error {
	if c.conn.IsClosed() {
		return driver.ErrBadConn
	}
	return c.conn.Ping(ctx)
}

func (c *pgxConn) ResetSession(ctx context.Context) error {
	if c.conn.IsClosed() {
		return driver.ErrBadConn
	}
	return nil
}

func (c *pgxConn) IsValid() bool { return !c.conn.IsClosed() }

func values(args []driver.NamedValue) []any {
	vs := make([]any, len(args))
	for i, a := range args {
		vs[i] = a.Value
	}
	return vs
}

type pgxTx struct {
	tx pgx.Tx
}

// Commit returns pgx.ErrTxCommitRollback when the server rolled back
// instead (a statement of the transaction had failed).
func (t pgxTx) Commit() error { return t.tx.Commit(context.Background()) }

func (t pgxTx) Rollback() error { return t.tx.Rollback(context.Background()) }

type pgxStmt struct {
	conn  *pgxConn
	query string
}

func (s *pgxStmt) Close() error  { return nil }
func (s *pgxStmt) NumInput() int { return -1 }

func (s *pgxStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.conn.ExecContext(context.Background(), s.query, named(args))
}

func (s *pgxStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.conn.QueryContext(context.Background(), s.query, named(args))
}

func (s *pgxStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}

func (s *pgxStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

type pgxRows struct {
	rows    pgx.Rows
	columns []string
}

func (r *pgxRows) Columns() []string {
	if r.columns == nil {
		fields := r.rows.FieldDescriptions()
		r.columns = make([]string, len(fields))
		for i, f := range fields {
			r.columns[i] = f.Name
		}
	}
	return r.columns
}

func (r *pgxRows) Close() error {
	r.rows.Close()
	return r.rows.Err()
}

// Next converts pgx's decoded values into the few types database/sql
// expects from a driver.
func (r *pgxRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	vals, err := r.rows.Values()
	if err != nil {
		return err
	}
	for i, v := range vals {
		switch v := v.(type) {
		case int16:
			dest[i] = int64(v)
		case int32:
			dest[i] = int64(v)
		case float32:
			dest[i] = float64(v)
		case nil, int64, float64, bool, []byte, string:
			dest[i] = v
		default:
			if t, ok := v.(interface{ Value() (driver.Value, error) }); ok {
				dv, err := t.Value()
				if err != nil {
					return err
				}
				dest[i] = dv
				continue
			}
			dest[i] = v // e.g. time.Time
		}
	}
	return nil
}
