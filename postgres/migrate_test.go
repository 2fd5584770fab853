package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlstore"
	"github.com/casebook/casebook/storetest"
)

// TestConcurrentOpen starts several replicas on one empty schema at once:
// the advisory lock lets one migrate and the others find it done.
func TestConcurrentOpen(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	schema := newSchema(t, dsn)

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := postgres.Open(ctx, withSearchPath(t, dsn, schema))
			if err == nil {
				db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}

	db, err := postgres.Open(ctx, withSearchPath(t, dsn, schema))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Writer.QueryRowContext(ctx, "SELECT COUNT(*) FROM migrations").Scan(&n); err != nil {
		t.Fatal(err)
	} else if want := migrationFiles(t); n != want {
		t.Fatalf("%d migrations recorded, want %d", n, want)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	schema := newSchema(t, dsn)
	db, err := postgres.Open(ctx, withSearchPath(t, dsn, schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer.ExecContext(ctx, "INSERT INTO migrations (name, applied_at) VALUES ('9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = postgres.Open(ctx, withSearchPath(t, dsn, schema))
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a schema migrated by a newer binary")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open = %v, want a refusal of the newer schema", err)
	}
}

// newSchema creates an empty schema, dropped when the test ends.
func newSchema(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cb_test_" + hex.EncodeToString(b)
	admin, err := postgres.OpenRaw(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
		admin.Close()
	})
	return schema
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

// TestUploadLogBackfill upgrades a schema from before the upload log: the
// attachments it holds count toward the quota afterwards.
func TestUploadLogBackfill(t *testing.T) {
	ctx := context.Background()
	dsn, conn := migratedBefore(t, "0002")
	created := time.UnixMilli(1_700_000_000_123).UTC()
	if _, err := conn.ExecContext(ctx, `INSERT INTO accessories (id, account_id, uploader_id, file_name, content_type,
		size, sha256, blob_key, upload_from, upload_type, created_at)
		VALUES ('acc1', 'a1', 'u1', 'f.txt', 'text/plain', 1234, '', 'k', 'incident', 0, $1)`, created); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	db, err := postgres.Open(ctx, dsn)
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

// TestAuthorizationCaseCopyBackfill upgrades a schema from before
// authorizations held copies of their ticket's description and creator's
// name (migration 0016): every authorization shows them afterwards.
func TestAuthorizationCaseCopyBackfill(t *testing.T) {
	db, seed := openSeededBefore(t, "0016", nil)
	storetest.CheckCaseCopies(t, db, seed)
}

// TestCredentialFlagRead upgrades a schema whose items stored their
// credential flag (before migration 0017), stored wrong on purpose: each
// item shows a credential exactly when a credential row names it.
func TestCredentialFlagRead(t *testing.T) {
	db, seed := openSeededBefore(t, "0017", func(ctx context.Context, raw storetest.RawSQL) error {
		return storetest.SeedCredentialsBeforeFlagRead(ctx, raw, `'\x00'::bytea`)
	})
	storetest.CheckCredentialFlags(t, db, seed)
}

// openSeededBefore seeds a schema with the migrations before first
// (storetest.SeedEarlierSchema) and opens the store on it, which applies
// the rest.
func openSeededBefore(t *testing.T, first string, more func(context.Context, storetest.RawSQL) error) (*postgres.DB, *storetest.Seed) {
	t.Helper()
	dsn, conn := migratedBefore(t, first)
	seed := storetest.SeedEarlierSchema(t, conn, func(ms string) string { return "to_timestamp(" + ms + " / 1000.0)" }, more)
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, seed
}

// migratedBefore creates a schema with the migrations that sort before
// first applied, for the tests that fill an earlier schema and let Open
// migrate it, and returns its DSN. They close conn before opening the
// store.
func migratedBefore(t *testing.T, first string) (dsn string, conn *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn = testDSN(t)
	dsn = withSearchPath(t, dsn, newSchema(t, dsn))
	raw, err := postgres.OpenRaw(ctx, dsn)
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
	if err := sqlstore.Migrate(ctx, conn, &sqlstore.Dialect{Name: "postgres", NumberedPlaceholders: true}, migrations); err != nil {
		t.Fatal(err)
	}
	return dsn, conn
}
