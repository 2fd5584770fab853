package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestWALVFSGathersFrames: a commit that changes many pages reaches the
// log in a few write calls, not two a page, and what it wrote reads back
// through another connection and after reopening.
func TestWALVFSGathersFrames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer.ExecContext(ctx, `CREATE TABLE filler (n INTEGER, b BLOB)`); err != nil {
		t.Fatal(err)
	}
	writes, calls := walWrites.Load(), walWriteCalls.Load()
	// About 200 pages in one commit.
	if _, err := db.Writer.ExecContext(ctx, `INSERT INTO filler
		WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200)
		SELECT n, randomblob(3000) FROM s`); err != nil {
		t.Fatal(err)
	}
	writes, calls = walWrites.Load()-writes, walWriteCalls.Load()-calls
	if writes < 400 {
		t.Fatalf("SQLite asked for %d writes, want at least 400 (two a page)", writes)
	}
	if calls > writes/40 {
		t.Errorf("%d write calls for %d writes, want at most one for 40 (31 frames a call)", calls, writes)
	}
	var n int
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM filler`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("a reader sees %d rows (%v), want 200", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM filler`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("after reopening, %d rows (%v), want 200", n, err)
	}
}

// TestWALVFSKilled: every commit acknowledged before the process is killed
// (SIGKILL, no chance to write a buffer out) is in the database after,
// and the database is intact. A child process commits rows and prints
// each one's number once its commit returns; it is killed mid-stream.
func TestWALVFSKilled(t *testing.T) {
	if path := os.Getenv("CASEBOOK_WALVFS_CHILD"); path != "" {
		walVFSChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "casebook.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWALVFSKilled$")
	cmd.Env = append(os.Environ(), "CASEBOOK_WALVFS_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		n, err := strconv.Atoi(lines.Text())
		if err != nil {
			continue // the test framework's own output
		}
		acked = n
		if acked == 300 {
			cmd.Process.Kill()
			break
		}
	}
	cmd.Wait()
	if acked < 300 {
		t.Fatalf("the child acknowledged %d commits before it ended, want 300", acked)
	}

	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.Reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %.300q (%v)", check, err)
	}
	var stored int
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM filler WHERE n <= ?`, acked).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != acked {
		t.Errorf("%d of the %d acknowledged commits are stored", stored, acked)
	}
}

// walVFSChild commits rows of about five pages each until killed,
// printing each row's number once its commit has returned.
func walVFSChild(path string) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := db.Writer.ExecContext(ctx, `CREATE TABLE filler (n INTEGER PRIMARY KEY, b BLOB)`); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for n := 1; ; n++ {
		if _, err := db.Writer.ExecContext(ctx, `INSERT INTO filler VALUES (?, randomblob(16000))`, n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(n)
		if n > 100000 {
			time.Sleep(time.Second) // never reached: the parent kills at 300
		}
	}
}
