package sqlite

import (
	"context"
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
