package postgres_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/storetest"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testDSN returns the DSN of the test server, skipping the test when no
// server was configured and the default one is unreachable.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn, set := os.LookupEnv("CASEBOOK_TEST_POSTGRES")
	if !set || dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := postgres.OpenRaw(ctx, dsn)
	if err == nil {
		err = db.PingContext(ctx)
		db.Close()
	}
	if err != nil {
		if set {
			t.Fatalf("CASEBOOK_TEST_POSTGRES is set but unreachable: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set CASEBOOK_TEST_POSTGRES to run): %v", defaultDSN, err)
	}
	return dsn
}

// withSearchPath returns dsn with the search_path run-time parameter set.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// testDB gives the conformance suite raw SQL.
type testDB struct{ *postgres.DB }

func (db testDB) ExecSQL(ctx context.Context, query string) error {
	_, err := db.Writer.ExecContext(ctx, query)
	return err
}

// The bounds of the lists cannot be lowered from here; sqlstore's own
// tests run storetest.RunBounds on both engines.

func (db testDB) QueryInt(ctx context.Context, query string) (n int64, err error) {
	err = db.Writer.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// mustOpen opens the store in a new schema, dropped when the test ends.
func mustOpen(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := testDSN(t)
	db, err := postgres.Open(context.Background(), withSearchPath(t, dsn, newSchema(t, dsn)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) casebook.Store { return testDB{mustOpen(t)} })
}

// A malformed DSN fails Open itself, without naming the password.
func TestOpenMalformedDSN(t *testing.T) {
	db, err := postgres.Open(context.Background(), "postgres://casebook:s3cretpw@127.0.0.1:notaport/casebook")
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded with a malformed DSN")
	}
	if strings.Contains(err.Error(), "s3cretpw") {
		t.Fatalf("the error names the password: %v", err)
	}
}
