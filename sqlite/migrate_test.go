package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
	"github.com/casebook/casebook/storetest"
)

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Fatalf("Path() = %q, want %q", db.Path(), path)
	}
	a := &casebook.Account{ID: casebook.NewHexID(), Name: "acme", CreatedAt: time.UnixMilli(1_700_000_000_123).UTC()}
	if err := db.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Opening again applies nothing twice and keeps the data.
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	err = db.Read(ctx, func(tx casebook.Tx) error {
		got, err := tx.FindAccountByName(ctx, "acme")
		if err == nil && !got.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, a.CreatedAt)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Writer.QueryRowContext(ctx, "SELECT COUNT(*) FROM migrations").Scan(&n); err != nil {
		t.Fatal(err)
	} else if want := migrationFiles(t); n != want {
		t.Fatalf("%d migrations recorded, want %d", n, want)
	}
	var mode string
	if err := db.Reader.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "casebook.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// As if a newer binary had migrated this file.
	if _, err := db.Writer.ExecContext(ctx, "INSERT INTO migrations (name, applied_at) VALUES ('9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open = %v, want a refusal of the newer schema", err)
	}
}

func TestInvalidPath(t *testing.T) {
	for _, path := range []string{"", "a.db?mode=ro", "a#b.db"} {
		if db, err := sqlite.Open(context.Background(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// migrationFiles returns the number of migrations the package embeds.
func migrationFiles(t testing.TB) int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("migration", "*.sql"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(names)
}

// TestUploadLogBackfill upgrades a database from before the upload log:
// the attachments it holds count toward the quota afterwards.
func TestUploadLogBackfill(t *testing.T) {
	ctx := context.Background()
	path, conn := migratedBefore(t, "0002")
	created := time.UnixMilli(1_700_000_000_123).UTC()
	if _, err := conn.ExecContext(ctx, `INSERT INTO accessories (id, account_id, uploader_id, file_name, content_type,
		size, sha256, blob_key, upload_from, upload_type, created_at)
		VALUES ('acc1', 'a1', 'u1', 'f.txt', 'text/plain', 1234, '', 'k', 'incident', 0, ?)`, created.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Read(ctx, func(tx casebook.Tx) error {
		for _, x := range []struct {
			since time.Time
			want  int64
		}{{created, 1234}, {created.Add(time.Millisecond), 0}} {
			if n, err := tx.SumUploadSize(ctx, "u1", x.since); err != nil {
				return err
			} else if n != x.want {
				t.Errorf("SumUploadSize(since %v) = %d, want %d", x.since, n, x.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloseReleasesFiles: when Close returns, every connection is closed,
// so SQLite has checkpointed and removed its -wal and -shm files, and the
// database can be copied or removed at once. (sql.DB.Close leaves a
// connection that is being released to close a moment later; under load
// that raced with the removal of test directories.)
func TestCloseReleasesFiles(t *testing.T) {
	ctx := context.Background()
	for i := range 40 {
		dir := t.TempDir()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "casebook.db"))
		if err != nil {
			t.Fatal(err)
		}
		a := &casebook.Account{ID: casebook.NewHexID(), Name: "acme", CreatedAt: time.UnixMilli(1_700_000_000_123).UTC()}
		if err := db.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Read(ctx, func(tx casebook.Tx) error { _, err := tx.FindAccountByName(ctx, "acme"); return err }); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if w, r := db.Writer.Stats().OpenConnections, db.Reader.Stats().OpenConnections; w+r != 0 {
			t.Fatalf("round %d: %d writer and %d reader connections still open after Close", i, w, r)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != "casebook.db" {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("round %d: the directory holds %v after Close, want only casebook.db", i, names)
		}
	}
}

// TestAuthorizationCaseCopyBackfill upgrades a database from before
// authorizations held copies of their ticket's description and creator's
// name (migration 0017): every authorization shows them afterwards.
func TestAuthorizationCaseCopyBackfill(t *testing.T) {
	db, seed := openSeededBefore(t, "0017", nil)
	storetest.CheckCaseCopies(t, db, seed)
}

// TestCredentialFlagRead upgrades a database whose items stored their
// credential flag (before migration 0018), stored wrong on purpose: each
// item shows a credential exactly when a credential row names it.
func TestCredentialFlagRead(t *testing.T) {
	db, seed := openSeededBefore(t, "0018", func(ctx context.Context, raw storetest.RawSQL) error {
		return storetest.SeedCredentialsBeforeFlagRead(ctx, raw, "X'00'")
	})
	storetest.CheckCredentialFlags(t, db, seed)
}

// openSeededBefore seeds a database with the migrations before first
// (storetest.SeedEarlierSchema) and opens the store on it, which applies
// the rest.
func openSeededBefore(t *testing.T, first string, more func(context.Context, storetest.RawSQL) error) (*sqlite.DB, *storetest.Seed) {
	t.Helper()
	path, conn := migratedBefore(t, first)
	seed := storetest.SeedEarlierSchema(t, conn, func(ms string) string { return ms }, more)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, seed
}

// migratedBefore creates a database file with the migrations that sort
// before first applied, for the tests that fill an earlier schema and let
// Open migrate it. They close conn before opening the store.
func migratedBefore(t *testing.T, first string) (path string, conn *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "casebook.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if conn, err = raw.Conn(ctx); err != nil {
		t.Fatal(err)
	}
	migrations, err := storetest.MigrationsBefore("migration", first)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.Migrate(ctx, conn, &sqlstore.Dialect{Name: "sqlite"}, migrations); err != nil {
		t.Fatal(err)
	}
	return path, conn
}
