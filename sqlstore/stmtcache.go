package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Bounds of a statement cache. Queries with IN lists come in as many texts
// as list lengths, so the number is bounded; long texts (bulk inserts,
// which their caller prepares itself) are not kept at all.
const (
	maxCachedStmts = 256
	maxCachedQuery = 4 << 10
)

// stmtCache keeps the prepared statements of one pool by query text, so
// that an engine that parses SQL on every call (SQLite) parses each query
// once per connection instead.
//
// A statement is prepared on its pool, which takes a connection of its own.
// The caller is inside a transaction that holds one already, and SQLite's
// writer pool has no other, so the caller cannot wait for the preparation:
// a query the cache misses runs unprepared and is prepared in the
// background, for the next transaction to find. Inside a transaction,
// sql.Tx.StmtContext runs a cached statement on the transaction's
// connection, preparing it there the first time.
type stmtCache struct {
	mu     sync.Mutex
	pool   *sql.DB
	stmts  map[string]*sql.Stmt // nil while being prepared
	closed bool
}

// init sets the pool of the cache if it has none yet.
func (c *stmtCache) init(pool *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pool == nil {
		c.pool = pool
	}
}

// stmt returns the cached statement for query, or nil if there is none yet,
// in which case it starts preparing one unless the cache is full.
func (c *stmtCache) stmt(query string) *sql.Stmt {
	if len(query) > maxCachedQuery {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	stmt, seen := c.stmts[query]
	if seen || c.closed || len(c.stmts) >= maxCachedStmts {
		return stmt
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*sql.Stmt)
	}
	c.stmts[query] = nil
	go c.prepare(c.pool, query)
	return nil
}

// prepare prepares query on the pool and keeps it; on failure it forgets
// the query, which will be tried again when it comes next.
func (c *stmtCache) prepare(pool *sql.DB, query string) {
	stmt, err := pool.PrepareContext(context.Background(), query)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil:
		delete(c.stmts, query)
	case c.closed:
		stmt.Close()
	default:
		c.stmts[query] = stmt
	}
}

// close closes the statements; the cache keeps no more.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for query, stmt := range c.stmts {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
		delete(c.stmts, query)
	}
	return errors.Join(errs...)
}

// len returns the number of statements prepared.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, stmt := range c.stmts {
		if stmt != nil {
			n++
		}
	}
	return n
}
