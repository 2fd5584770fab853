package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	_ "modernc.org/sqlite"
)

// openCacheDB opens a SQLite file with a writer pool of one connection, as
// the sqlite package does, and a reader pool of two, keeping statements
// prepared.
func openCacheDB(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	writer, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	reader.SetMaxOpenConns(2)
	db := &DB{Writer: writer, Reader: reader, Dialect: &Dialect{Name: "sqlite", TimeAsUnixMilli: true, PrepareStatements: true}}
	if _, err := writer.Exec(`CREATE TABLE t (n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// waitPrepared waits until c holds n prepared statements.
func waitPrepared(t *testing.T, c *stmtCache, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.len() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d statements prepared, want %d", c.len(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	db := openCacheDB(t)

	// The writer pool has one connection, which the transaction holds:
	// a miss must not wait for a statement to be prepared on the pool.
	insert := func(n int) error {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return db.Write(wctx, func(t casebook.Tx) error {
			_, err := t.(*Tx).exec(wctx, `INSERT INTO t (n) VALUES (?)`, n)
			return err
		})
	}
	for i := range 3 {
		if err := insert(i); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	waitPrepared(t, &db.writerStmts, 1)

	sum := func() (n int, prepared bool) {
		err := db.Read(ctx, func(ct casebook.Tx) error {
			tx := ct.(*Tx)
			const q = `SELECT COALESCE(SUM(n), 0) FROM t WHERE n >= ?`
			prepared = tx.stmts.stmt(q) != nil
			return tx.queryRow(ctx, q, 0).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, prepared
	}
	if n, _ := sum(); n != 3 {
		t.Fatalf("sum %d, want 3", n)
	}
	waitPrepared(t, &db.readerStmts, 1)
	// Prepared now, on the pool; each connection prepares it once more
	// when a transaction first runs it there.
	for range 5 {
		if n, prepared := sum(); n != 3 || !prepared {
			t.Fatalf("sum %d, prepared %v; want 3 from the prepared statement", n, prepared)
		}
	}
	// A prepared statement sees later writes, and writes through one work.
	if err := insert(10); err != nil {
		t.Fatal(err)
	}
	if n, _ := sum(); n != 13 {
		t.Fatalf("sum %d after another insert, want 13", n)
	}

	// Errors of prepared statements are those of the query.
	err := db.Write(ctx, func(t casebook.Tx) error {
		_, err := t.(*Tx).exec(ctx, `INSERT INTO t (n) VALUES (?)`, nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "NOT NULL") {
		t.Fatalf("inserting NULL: %v, want a NOT NULL constraint error", err)
	}
}

// A query run again while the rows of its first run are open (a nested
// lookup) must not disturb them, prepared or not.
func TestStmtCacheNested(t *testing.T) {
	ctx := context.Background()
	db := openCacheDB(t)
	if _, err := db.Writer.Exec(`INSERT INTO t (n) VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT n FROM t WHERE n >= ? ORDER BY n`
	for range 3 {
		err := db.Read(ctx, func(ct casebook.Tx) error {
			tx := ct.(*Tx)
			rows, err := tx.query(ctx, q, 1)
			if err != nil {
				return err
			}
			defer rows.Close()
			var outer []int
			for rows.Next() {
				var n, m int
				if err := rows.Scan(&n); err != nil {
					return err
				}
				outer = append(outer, n)
				if err := tx.queryRow(ctx, q, 3).Scan(&m); err != nil || m != 3 {
					return fmt.Errorf("nested query: %d, %w", m, err)
				}
				inner, err := tx.query(ctx, q, 2)
				if err != nil {
					return fmt.Errorf("nested rows: %w", err)
				}
				inner.Close()
			}
			if err := rows.Err(); err != nil {
				return err
			} else if len(outer) != 3 {
				return fmt.Errorf("outer rows %v, want 1, 2, 3", outer)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		waitPrepared(t, &db.readerStmts, 1)
	}
}

func TestStmtCacheBounds(t *testing.T) {
	ctx := context.Background()
	db := openCacheDB(t)
	err := db.Read(ctx, func(ct casebook.Tx) error {
		tx := ct.(*Tx)
		for i := range maxCachedStmts + 20 {
			var n int
			if err := tx.queryRow(ctx, fmt.Sprintf(`SELECT %d + ?`, i), 1).Scan(&n); err != nil {
				return err
			} else if n != i+1 {
				t.Fatalf("SELECT %d + 1 = %d", i, n)
			}
		}
		// Long texts are never kept.
		long := `SELECT 1` + strings.Repeat(" ", maxCachedQuery)
		for range 2 {
			var n int
			if err := tx.queryRow(ctx, long).Scan(&n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitPrepared(t, &db.readerStmts, maxCachedStmts)
	time.Sleep(20 * time.Millisecond)
	if n := db.readerStmts.len(); n != maxCachedStmts {
		t.Fatalf("%d statements kept, want the bound %d", n, maxCachedStmts)
	}
}

// Readers and writers at once, statements prepared or not: run with -race.
func TestStmtCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	db := openCacheDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				err := db.Write(ctx, func(t casebook.Tx) error {
					_, err := t.(*Tx).exec(ctx, `INSERT INTO t (n) VALUES (?)`, w*100+i)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		})
		wg.Go(func() {
			for range 25 {
				err := db.Read(ctx, func(t casebook.Tx) error {
					rows, err := t.(*Tx).query(ctx, `SELECT n FROM t ORDER BY n LIMIT ?`, 10)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
					}
					return rows.Err()
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.Reader.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 100 {
		t.Fatalf("%d rows, %v; want 100", n, err)
	}
}

// After Close the cache keeps nothing and prepares nothing.
func TestStmtCacheClosed(t *testing.T) {
	db := openCacheDB(t)
	db.readerStmts.init(db.Reader)
	if err := db.readerStmts.close(); err != nil {
		t.Fatal(err)
	}
	if stmt := db.readerStmts.stmt(`SELECT 1`); stmt != nil {
		t.Fatal("a closed cache returned a statement")
	}
	time.Sleep(10 * time.Millisecond)
	if n := db.readerStmts.len(); n != 0 {
		t.Fatalf("a closed cache prepared %d statements", n)
	}
}
