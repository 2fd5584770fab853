package notify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
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

const defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// postgresDatabase returns the DSN of a new database dropped at the end of
// the test; it skips when PostgreSQL is unreachable and
// CASEBOOK_TEST_POSTGRES is unset, and fails when it is set.
func postgresDatabase(t testing.TB) string {
	t.Helper()
	dsn, required := os.Getenv("CASEBOOK_TEST_POSTGRES"), true
	if dsn == "" {
		dsn, required = defaultTestPostgres, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if required {
			t.Fatalf("CASEBOOK_TEST_POSTGRES is set but PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set CASEBOOK_TEST_POSTGRES to require it): %v", defaultTestPostgres, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "casebook_notify_" + hex.EncodeToString(b)
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
