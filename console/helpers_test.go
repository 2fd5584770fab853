package console_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/console"
	"github.com/casebook/casebook/sqlite"
)

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

// testEnv is a console on a real SQLite store and blob directory, served
// over loopback.
type testEnv struct {
	t     testing.TB
	Svc   *casebook.Service
	Clock *testClock
	URL   string
	H     *console.Handler
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
	master := bytes.Repeat([]byte{9}, 32)
	sealer, err := auth.NewSealer(auth.DeriveKey(master, auth.PurposeSeal))
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Now().UTC().Truncate(time.Millisecond)}
	svc := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	svc.Now = clock.Now
	svc.Config.PasswordIterations = 1000
	h, err := console.New(svc, auth.DeriveKey(master, console.KeyPurpose), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Now = clock.Now
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, Svc: svc, Clock: clock, URL: srv.URL, H: h}
}

// customer creates an account with a master user and returns its principal.
func (e *testEnv) customer(account, user, password string) *casebook.Principal {
	e.t.Helper()
	ctx := context.Background()
	if _, _, err := e.Svc.CreateAccount(ctx, account, user, password); err != nil {
		e.t.Fatal(err)
	}
	p, _, err := e.Svc.LoginCustomer(ctx, account, user, password)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *testEnv) engineer(name, password string) *casebook.Principal {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.Svc.CreateEngineer(ctx, name, password); err != nil {
		e.t.Fatal(err)
	}
	p, _, err := e.Svc.LoginEngineer(ctx, name, password)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// browser is an HTTP client with cookies that does not follow redirects,
// and remembers the CSRF token of the last page it read.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.URL, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// response is what a page answered.
type response struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return response{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

// post sends a form with the current CSRF token unless the form has one.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postFiles sends a multipart form with files (name -> content).
func (b *browser) postFiles(path string, form url.Values, files map[string]string) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("files", name)
		w.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (b *browser) loginCustomer(account, user, password string) {
	b.t.Helper()
	b.get("/login")
	res := b.post("/login", url.Values{"account": {account}, "user": {user}, "password": {password}})
	if res.Status != http.StatusSeeOther || res.Location != "/tickets" {
		b.t.Fatalf("customer login: %d %s\n%s", res.Status, res.Location, res.Body)
	}
}

func (b *browser) loginEngineer(name, password string) {
	b.t.Helper()
	b.get("/engineer/login")
	res := b.post("/engineer/login", url.Values{"user": {name}, "password": {password}})
	if res.Status != http.StatusSeeOther || res.Location != "/engineer/queue" {
		b.t.Fatalf("engineer login: %d %s\n%s", res.Status, res.Location, res.Body)
	}
}

func wantStatus(t *testing.T, what string, res response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.Status, status, res.Body)
	}
}
