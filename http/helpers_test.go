package http

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/sqlite"
)

// testClock is a settable clock shared by the Service and the Server.
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

// testEnv is a real server: real SQLite in a temp dir, real blob directory,
// real HTTP over loopback.
type testEnv struct {
	t      testing.TB
	Clock  *testClock
	Svc    *casebook.Service
	Store  casebook.Store // for tests that arrange or inspect rows directly
	Server *Server
	HTTP   *httptest.Server
	Logs   *bytes.Buffer // everything the server logged, to check for leaks
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	master := bytes.Repeat([]byte{7}, 32)
	sealer, err := auth.NewSealer(auth.DeriveKey(master, "seal"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Now().UTC().Truncate(time.Millisecond)}
	svc := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	svc.Now = clock.Now
	svc.Config.PasswordIterations = 1000
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc.Logger = logger
	srv := &Server{
		Service:       svc,
		Tokens:        &auth.Tokens{Key: auth.DeriveKey(master, "token"), TTL: 24 * time.Hour},
		TemporaryKeys: &auth.TemporaryKeys{Key: auth.DeriveKey(master, auth.PurposeSecurityToken)},
		Links:         &auth.Links{Key: auth.DeriveKey(master, "download-link"), TTL: 10 * time.Minute},
		Logger:        logger,
		Now:           clock.Now,
		// A tiny cache TTL keeps tests of disabling users simple.
		PrincipalCacheTTL: time.Nanosecond,
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, Clock: clock, Svc: svc, Store: db, Server: srv, HTTP: hs, Logs: logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// testUser is a logged-in caller (customer user or engineer).
type testUser struct {
	env       *testEnv
	ID        string
	Name      string
	AccountID string
	Password  string
	Token     string
}

// testAccount is a customer account with its master user.
type testAccount struct {
	env    *testEnv
	Name   string
	ID     string
	Master *testUser
}

const testPassword = "Secret-pass-123"

func (e *testEnv) Account(name string) *testAccount {
	e.t.Helper()
	a, u, err := e.Svc.CreateAccount(context.Background(), name, "admin", testPassword)
	if err != nil {
		e.t.Fatalf("create account %s: %v", name, err)
	}
	acc := &testAccount{env: e, Name: a.Name, ID: a.ID}
	acc.Master = e.login(casebook.RealmCustomer, u.ID, a.ID, u.Name)
	return acc
}

// User creates a sub-user of the account and logs them in.
func (a *testAccount) User(name string) *testUser {
	a.env.t.Helper()
	u, err := a.env.Svc.CreateUser(context.Background(), a.Name, name, testPassword)
	if err != nil {
		a.env.t.Fatalf("create user %s: %v", name, err)
	}
	return a.env.login(casebook.RealmCustomer, u.ID, a.ID, u.Name)
}

// Group creates a group with the given members and returns its id.
func (a *testAccount) Group(name string, members ...*testUser) string {
	a.env.t.Helper()
	g, err := a.env.Svc.CreateGroup(context.Background(), a.Name, name)
	if err != nil {
		a.env.t.Fatalf("create group %s: %v", name, err)
	}
	for _, m := range members {
		if err := a.env.Svc.AddGroupMember(context.Background(), a.Name, g.ID, m.Name); err != nil {
			a.env.t.Fatalf("add member: %v", err)
		}
	}
	return g.ID
}

// Engineer creates a support engineer and logs them in.
func (e *testEnv) Engineer(name string) *testUser {
	e.t.Helper()
	en, err := e.Svc.CreateEngineer(context.Background(), name, testPassword)
	if err != nil {
		e.t.Fatalf("create engineer %s: %v", name, err)
	}
	return e.login(casebook.RealmEngineer, en.ID, "", en.Name)
}

// login issues a token directly (the /v3/auth/tokens flow has its own tests).
func (e *testEnv) login(realm casebook.Realm, userID, accountID, name string) *testUser {
	e.t.Helper()
	_, epoch, err := e.Svc.ResolvePrincipal(context.Background(), realm, userID)
	if err != nil {
		e.t.Fatalf("resolve %s: %v", name, err)
	}
	now := e.Clock.Now()
	tok, err := e.Server.Tokens.Issue(auth.Claims{Realm: realm, UserID: userID, AccountID: accountID, Epoch: epoch, IssuedAt: now, ExpiresAt: now.Add(24 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	return &testUser{env: e, ID: userID, Name: name, AccountID: accountID, Password: testPassword, Token: tok}
}

// testResponse is a response with its body read.
type testResponse struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request as the user. body may be nil, a string/[]byte (sent
// as is) or any value (sent as JSON). Extra headers come in pairs.
func (u *testUser) Do(method, path string, body any, headers ...string) *testResponse {
	u.env.t.Helper()
	h := []string{"X-Auth-Token", u.Token}
	return u.env.Do(method, path, body, append(h, headers...)...)
}

// Do sends an unauthenticated request (add X-Auth-Token in headers if needed).
func (e *testEnv) Do(method, path string, body any, headers ...string) *testResponse {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.HTTP.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &testResponse{t: e.t, Status: res.StatusCode, Header: res.Header, Body: b}
}

// JSON decodes the body into v, failing the test on error.
func (r *testResponse) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Expect fails the test unless the status is want.
func (r *testResponse) Expect(want int) *testResponse {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// ExpectError fails the test unless the response is the error envelope
// with the status and code.
func (r *testResponse) ExpectError(status int, code string) *testResponse {
	r.t.Helper()
	r.Expect(status)
	var e struct {
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	r.JSON(&e)
	if e.ErrorCode != code || e.ErrorMsg == "" {
		r.t.Fatalf("error = %q %q, want code %q and a message", e.ErrorCode, e.ErrorMsg, code)
	}
	if r.Header.Get("X-Request-Id") == "" {
		r.t.Fatalf("error response without X-Request-Id")
	}
	return r
}

// updateGolden rewrites testdata/*.golden files instead of comparing:
// go test ./http/ -run TestX -update
var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden files")

// expectGolden compares got with testdata/<name>.golden (or rewrites the
// file with -update). Callers normalise ids, times and URLs first.
func expectGolden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (run with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
