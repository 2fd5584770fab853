package sqlite_test

import (
	"testing"

	"github.com/casebook/casebook/storetest"
)

// TestCaseLogBackfill: migration 0010 rebuilds the history of existing
// tickets as the Service writes it live (storetest.CheckCaseLogBackfill).
func TestCaseLogBackfill(t *testing.T) {
	db := testDB{mustOpen(t)}
	s, migration := storetest.NewService(t, db), storetest.Migration(t, "0010_feed_and_case_log.sql")
	storetest.CheckCaseLogBackfill(t, s, db, "DROP TRIGGER case_events_no_delete", migration)
}

// TestCaseEventCounts: the live counts of the tickets' history events
// (migration 0015) stay exact through a ticket's life, and the migration's
// backfill rebuilds them (storetest.CheckCaseEventCounts).
func TestCaseEventCounts(t *testing.T) {
	db := testDB{mustOpen(t)}
	s, migration := storetest.NewService(t, db), storetest.Migration(t, "0015_case_event_counts.sql")
	storetest.CheckCaseEventCounts(t, s, db, migration)
}
