package sqlite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/storetest"
)

// TestCaseLogBackfill: migration 0010 rebuilds the history of existing
// tickets as the Service writes it live (storetest.CheckCaseLogBackfill).
func TestCaseLogBackfill(t *testing.T) {
	db := testDB{mustOpen(t)}
	blobs, err := fs.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(bytes.Repeat([]byte{7}, 32), "seal"))
	if err != nil {
		t.Fatal(err)
	}
	migration, err := os.ReadFile(filepath.Join("migration", "0010_feed_and_case_log.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	s.Config.PasswordIterations = 1000
	storetest.CheckCaseLogBackfill(t, s, db, "DROP TRIGGER case_events_no_delete", migration)
}

// TestCaseEventCounts: the live counts of the tickets' history events
// (migration 0015) stay exact through a ticket's life, and the migration's
// backfill rebuilds them (storetest.CheckCaseEventCounts).
func TestCaseEventCounts(t *testing.T) {
	db := testDB{mustOpen(t)}
	blobs, err := fs.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(bytes.Repeat([]byte{7}, 32), "seal"))
	if err != nil {
		t.Fatal(err)
	}
	migration, err := os.ReadFile(filepath.Join("migration", "0015_case_event_counts.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	s.Config.PasswordIterations = 1000
	storetest.CheckCaseEventCounts(t, s, db, migration)
}
