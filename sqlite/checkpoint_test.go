package sqlite

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCheckpointer: pages committed to the log reach the database file
// without a commit crossing the writer's automatic checkpoint (at
// walBackstopPages, far above what this test writes), and Close stops the
// goroutine that copies them.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	if _, err := db.Writer.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 100 { // about 100 pages of log, in 100 commits
		if _, err := db.Writer.ExecContext(ctx, `INSERT INTO filler VALUES (randomblob(4000))`); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * checkpointEvery)
	for size() < before+100*4000 {
		if time.Now().After(deadline) {
			t.Fatalf("after %s the database file is %d bytes (%d before the writes): the log was not checkpointed",
				20*checkpointEvery, size(), before)
		}
		time.Sleep(checkpointEvery / 5)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "(*checkpointer).run") {
		t.Fatalf("the checkpointer still runs after Close:\n%s", stacks)
	}
}

// TestCheckpointerRestartsLog: under a stream of commits, with readers
// beside them, the checkpointer starts the log over once it holds
// restartFrames, without the writer's automatic checkpoint (which would
// only restart it at walBackstopPages); and it hands the writer's
// connection back with its usual busy timeout.
func TestCheckpointerRestartsLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Writer.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := db.Reader.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	readers := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				select {
				case <-stop:
					readers <- nil
					return
				default:
				}
				var n int
				if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM filler WHERE rowid = 1`).Scan(&n); err != nil {
					readers <- err
					return
				}
			}
		}()
	}
	defer func() {
		close(stop)
		for range 2 {
			if err := <-readers; err != nil {
				t.Error(err)
			}
		}
	}()

	// walHeader returns the log's checkpoint sequence number, which each
	// restart increments, and its file size.
	walHeader := func() (seq uint32, size int64) {
		f, err := os.Open(path + "-wal")
		if err != nil {
			return 0, 0
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		var b [32]byte
		if _, err := f.ReadAt(b[:], 0); err != nil || binary.BigEndian.Uint32(b[:4])&^1 != 0x377f0682 {
			return 0, fi.Size()
		}
		return binary.BigEndian.Uint32(b[12:16]), fi.Size()
	}
	first, _ := walHeader()
	restarts, written, maxSize := 0, 0, int64(0)
	// Each commit writes about 20 pages; the backstop alone would restart
	// the log once in walBackstopPages, so three times as many pages
	// would see at most three restarts and a log of walBackstopPages.
	for restarts < 3 && written < 3*walBackstopPages {
		if _, err := db.Writer.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
			INSERT INTO filler SELECT randomblob(3000) FROM n`); err != nil {
			t.Fatal(err)
		}
		written += 20
		seq, size := walHeader()
		if seq != first {
			restarts, first = restarts+1, seq
		}
		maxSize = max(maxSize, size)
	}
	if restarts < 3 {
		t.Fatalf("after %d pages of commits the log restarted %d times (restartFrames %d)", written, restarts, restartFrames)
	}
	if limit := walBackstopPages * (pageSize + 24); maxSize >= limit {
		t.Errorf("the log reached %d bytes, the writer's own checkpoint at %d: the checkpointer did not restart it first", maxSize, limit)
	}
	var timeout int
	if err := db.Writer.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != busyTimeout {
		t.Errorf("the writer's busy timeout is %d ms after the restarts, want %d", timeout, busyTimeout)
	}
}
