package casebook_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/sqlite"
)

// testClock is a settable clock for Service.Now.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// MustOpenService returns a Service on a fresh SQLite database and blob
// directory, with a clock starting at 2026-01-02T03:04:05Z.
func MustOpenService(tb testing.TB) (*casebook.Service, *testClock) {
	tb.Helper()
	dir := tb.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "casebook.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	blobs, err := fs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(make([]byte, 32), "seal"))
	if err != nil {
		tb.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	s.Now = clock.Now
	s.Config.PasswordIterations = 1000 // fast logins in tests
	return s, clock
}
