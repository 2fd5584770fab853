package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
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
	} else if n != 1 {
		t.Fatalf("%d migrations recorded, want 1", n)
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
