// Package pgtest gives tests a PostgreSQL database of their own, on the
// server of CASEBOOK_TEST_POSTGRES (127.0.0.1:5432 when unset).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is tried when CASEBOOK_TEST_POSTGRES is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Database returns the DSN of a new, empty database named prefix plus a
// random suffix, dropped at the end of the test. It skips when PostgreSQL
// is unreachable and CASEBOOK_TEST_POSTGRES is unset, and fails when it is
// set (CI).
func Database(t testing.TB, prefix string) string {
	t.Helper()
	dsn, required := os.Getenv("CASEBOOK_TEST_POSTGRES"), true
	if dsn == "" {
		dsn, required = DefaultDSN, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if required {
			t.Fatalf("CASEBOOK_TEST_POSTGRES is set but PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set CASEBOOK_TEST_POSTGRES to require it): %v", DefaultDSN, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	t.Cleanup(func() { admin.Close(context.Background()) })
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
