package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/internal/pgtest"
	"github.com/casebook/casebook/notify"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
)

var testSealer = func() casebook.Sealer {
	s, err := auth.NewSealer(auth.DeriveKey(make([]byte, 32), "seal"))
	if err != nil {
		panic(err)
	}
	return s
}()

// newService returns a Service over store with fast retries and private
// webhook targets allowed (the receivers are httptest servers on loopback).
func newService(t testing.TB, store casebook.Store) *casebook.Service {
	t.Helper()
	blobs, err := fs.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := casebook.DefaultConfig()
	cfg.PasswordIterations = 1000
	cfg.WebhookAllowPrivate = true
	cfg.WebhookRetryBase = 10 * time.Millisecond
	cfg.WebhookRetryMax = 40 * time.Millisecond
	return casebook.NewService(store, blobs, testSealer, cfg)
}

func openSQLite(t testing.TB) casebook.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// postgresDatabase returns the DSN of a new, empty database dropped at the
// end of the test (pgtest.Database).
func postgresDatabase(t testing.TB) string {
	t.Helper()
	return pgtest.Database(t, "casebook_notify_")
}

func openPostgres(t testing.TB, dsn string) casebook.Store {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// receiver is a webhook endpoint on loopback that records what it gets.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	// answer returns the status for the n-th request (1-based); nil: 204.
	answer func(n int) int
	got    chan struct{}
}

type received struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t testing.TB, answer func(n int) int) *receiver {
	r := &receiver{answer: answer, got: make(chan struct{}, 100000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, received{req.Header.Clone(), body})
		n := len(r.requests)
		r.mu.Unlock()
		status := http.StatusNoContent
		if r.answer != nil {
			status = r.answer(n)
		}
		w.WriteHeader(status)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.requests...)
}

// startWorker runs a worker on s until the test ends.
func startWorker(t testing.TB, s *casebook.Service, configure func(*notify.Worker)) {
	t.Helper()
	w := &notify.Worker{Service: s, AllowPrivate: true, Poll: 5 * time.Millisecond, Timeout: 2 * time.Second}
	if configure != nil {
		configure(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// eventually polls cond every few milliseconds, up to a generous bound,
// and fails with msg if it never holds. It bounds a wait, it measures
// nothing.
func eventually(t testing.TB, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// desk is an account with a customer and an engineer.
type desk struct {
	s        *casebook.Service
	customer *casebook.Principal
	engineer *casebook.Principal
	account  string
}

func newDesk(t testing.TB, s *casebook.Service, account string) *desk {
	t.Helper()
	ctx := context.Background()
	_, u, err := s.CreateAccount(ctx, account, "master", "master-password-1")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.CreateEngineer(ctx, "eng-"+account, "engineer-password-1")
	if err != nil {
		t.Fatal(err)
	}
	ep, _, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &desk{s: s, customer: p, engineer: ep, account: account}
}

func (d *desk) newCase(t testing.TB, desc string) *casebook.Case {
	t.Helper()
	c, err := d.s.CreateCase(context.Background(), d.customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: desc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
