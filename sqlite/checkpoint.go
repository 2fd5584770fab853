package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
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
// thousand commits' pages and each distinct page is copied once.
//
// A checkpoint that runs beside the writer never catches up with it, so
// the log would never start over: only a checkpoint that copies every
// frame, with no commit in between, lets the next commit write the log
// from its start again. Left to the writer's automatic checkpoint at
// walBackstopPages, that was a full checkpoint inside a commit, with two
// fsyncs of everything copied since the last one: the writer, and every
// request waiting for it, stood still for about 150 ms a second under
// ConfirmAuthorizations load (docs/benchmarks.md, finding 25). Now the
// goroutine does the slow part beside the writer: after each checkpoint
// that copied pages it syncs the database file itself, and once the log
// holds restartFrames it checkpoints and syncs once more, then takes the
// writer's connection between two commits for a RESTART checkpoint, which
// copies and syncs only what the last few milliseconds wrote and lets the
// next commit start the log over. The automatic checkpoint stays, at
// walBackstopPages, for a log the goroutine could not restart (a long
// reader of the old log), and journal_size_limit truncates a log file that
// grew past walSizeLimit once it has been copied.
const (
	checkpointEvery  = 250 * time.Millisecond
	restartFrames    = 8000     // 32 MB of 4 KB pages
	walBackstopPages = 20000    // 80 MB
	walSizeLimit     = 64 << 20 // bytes kept of the -wal file after a checkpoint
	// restartBusy is how long the RESTART waits for readers of the old log
	// (and the writer with it) before it gives up until the next round.
	restartBusy = 20 // milliseconds
)

// checkpointer runs PASSIVE checkpoints (which never wait for readers or
// the writer) until stopped, and restarts the log on the writer's
// connection when it has grown.
type checkpointer struct {
	conn   *sql.DB
	writer *sql.DB
	file   *os.File // the database file, synced after each checkpoint that copied
	synced int      // the log's frames copied as of the last sync of file
	stop   context.CancelFunc
	done   sync.WaitGroup
}

// startCheckpointer opens the checkpointer's connection to path and starts
// its goroutine.
func startCheckpointer(path string, pragmas []string, writer *sql.DB) (*checkpointer, error) {
	conn, err := openPool(path, url.Values{"_pragma": pragmas}, 1)
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	file, err := os.Open(path)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, writer: writer, file: file, stop: stop}
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
			if frames, err := c.checkpoint(ctx); err == nil && frames >= restartFrames {
				if _, err := c.checkpoint(ctx); err == nil {
					c.restart(ctx)
				}
			}
		}
	}
}

// checkpoint copies what it can of the log into the database file, syncs
// that file if anything was copied since the last sync, and returns how
// many frames the log holds.
func (c *checkpointer) checkpoint(ctx context.Context) (frames int, err error) {
	var busy, copied int
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	if err != nil {
		return 0, err
	}
	// SQLite syncs the database file only after a checkpoint that copied
	// the whole log, which this one seldom is; left to it, the RESTART's
	// sync would write all the pages copied since, on the writer's time.
	// Nothing copied since the last sync (an idle server): nothing to sync.
	if copied == c.synced {
		return frames, nil
	}
	if err := c.file.Sync(); err != nil {
		return frames, err
	}
	c.synced = copied
	return frames, nil
}

// restart runs a RESTART checkpoint on the writer's connection, between
// two of its transactions.
func (c *checkpointer) restart(ctx context.Context) {
	conn, err := c.writer.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	// The connection's usual busy timeout would let a long reader of the
	// old log hold the writer for seconds.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartBusy)); err != nil {
		return
	}
	conn.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout)); err != nil {
		// Not to be handed back with the short timeout.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// close stops the goroutine and closes its connection and its descriptor of
// the database file.
func (c *checkpointer) close() error {
	c.stop()
	c.done.Wait()
	return errors.Join(c.conn.Close(), c.file.Close())
}
