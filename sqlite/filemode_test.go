package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
)

// TestOpen_FilesArePrivate: the database holds password hashes and sealed
// secrets, so a new database file and its -wal and -shm files are 0600,
// whatever the umask. They used to be 0644.
func TestOpen_FilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	path := filepath.Join(t.TempDir(), "casebook.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A write, so that the WAL and its index certainly exist.
	err = db.Write(ctx, func(tx casebook.Tx) error {
		return tx.CreateAccount(ctx, &casebook.Account{ID: "a1", Name: "acme", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(name), mode)
		}
	}
}
