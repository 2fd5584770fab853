package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Checkpoints: copying the pages of the write-ahead log back into the
// database file. Left to SQLite, the commit that takes the log past 1000
// pages copies them, on the one writer connection, so every writer waits
// for it; and a log that short holds each hot page (the ends of the
// indexes every write appends to, the live counts) many times over, so
// the same page is copied again and again. A ConfirmAuthorizations
// writes about 22 pages; at the default, checkpoints were a third of its
// CPU (docs/benchmarks.md, issue 14).
//
// So a goroutine of the store checkpoints on a connection of its own,
// beside the writer, every checkpointEvery; a busy log then holds a few
// thousand commits' pages and each distinct page is copied once. The
// automatic checkpoint stays, at walBackstopPages, for a log the
// goroutine could not keep up with, and journal_size_limit truncates a
// log file that grew past walSizeLimit once it has been copied.
const (
	checkpointEvery  = 250 * time.Millisecond
	walBackstopPages = 20000    // 80 MB of 4 KB pages
	walSizeLimit     = 64 << 20 // bytes kept of the -wal file after a checkpoint
)

// checkpointer runs PASSIVE checkpoints (which never wait for readers or
// the writer) until stopped.
type checkpointer struct {
	conn *sql.DB
	stop context.CancelFunc
	done sync.WaitGroup
}

// startCheckpointer opens the checkpointer's connection to path and starts
// its goroutine.
func startCheckpointer(path string, pragmas []string) (*checkpointer, error) {
	conn, err := openPool(path, url.Values{"_pragma": pragmas}, 1)
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, stop: stop}
	c.done.Add(1)
	go c.run(ctx)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A failed checkpoint loses nothing: the pages stay in the
			// log, and the next one (or the backstop) copies them.
			c.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// close stops the goroutine and closes its connection.
func (c *checkpointer) close() error {
	c.stop()
	c.done.Wait()
	return c.conn.Close()
}
