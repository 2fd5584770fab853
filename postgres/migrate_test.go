package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/casebook/casebook/postgres"
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
	} else if n != 1 {
		t.Fatalf("%d migrations recorded, want 1", n)
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
