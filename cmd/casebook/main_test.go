package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	main "github.com/casebook/casebook/cmd/casebook"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine to write while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is the environment of the commands a test runs: nothing of the
// process's own, so a developer's CASEBOOK_* variables do not leak in.
type env map[string]string

func (e env) getenv(name string) string { return e[name] }

// newMain returns a Main with its own streams and environment.
func newMain(e env, stdin string) (*main.Main, *syncBuffer, *syncBuffer) {
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	m := &main.Main{Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: stderr, Getenv: e.getenv}
	return m, stdout, stderr
}

// run runs one command to completion and returns its standard output.
func run(t testing.TB, e env, args ...string) (string, error) {
	t.Helper()
	m, stdout, stderr := newMain(e, "")
	err := m.Run(context.Background(), args)
	if err != nil {
		t.Logf("casebook %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout.String(), err
}

// mustRun runs one command and fails the test if it fails.
func mustRun(t testing.TB, e env, args ...string) string {
	t.Helper()
	out, err := run(t, e, args...)
	if err != nil {
		t.Fatalf("casebook %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// mustRunJSON runs a command with --json and decodes its output into v.
func mustRunJSON(t testing.TB, e env, v any, args ...string) {
	t.Helper()
	out := mustRun(t, e, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("casebook %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// server is a `casebook serve` running in the test process.
type server struct {
	Addr     string
	URL      string
	Stderr   *syncBuffer
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	err      error
}

// startServer runs `casebook serve` on 127.0.0.1:0 with args until the test
// ends or Stop is called. middleware, if not nil, wraps the handler.
func startServer(t testing.TB, e env, middleware func(http.Handler) http.Handler, args ...string) *server {
	t.Helper()
	m, _, stderr := newMain(e, "")
	m.Middleware = middleware
	addrc := make(chan string, 1)
	m.Listening = func(addr string) { addrc <- addr }

	ctx, cancel := context.WithCancel(context.Background())
	s := &server{Stderr: stderr, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case s.Addr = <-addrc:
	case err := <-s.done:
		cancel()
		t.Fatalf("serve exited before listening: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start listening\n%s", stderr)
	}
	s.URL = "http://" + s.Addr
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// Stop shuts the server down as SIGTERM would and returns what serve
// returned. Calling it again returns the same result.
func (s *server) Stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		s.err = <-s.done
	})
	return s.err
}

// keystoneBody is the password body of POST /v3/auth/tokens.
func keystoneBody(domain, user, password string) string {
	b, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": user, "password": password, "domain": map[string]string{"name": domain},
			}},
		},
		"scope": map[string]any{"domain": map[string]string{"name": domain}},
	}})
	return string(b)
}

// customerToken logs a customer in and returns the X-Subject-Token.
func customerToken(t testing.TB, baseURL, domain, user, password string) string {
	t.Helper()
	res, body := do(t, "POST", baseURL+"/v3/auth/tokens", keystoneBody(domain, user, password), nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v3/auth/tokens: status %d, want 201: %s", res.StatusCode, body)
	}
	tok := res.Header.Get("X-Subject-Token")
	if tok == "" {
		t.Fatal("POST /v3/auth/tokens: no X-Subject-Token header")
	}
	return tok
}

// do sends a request and returns the response with its body read.
func do(t testing.TB, method, url, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json;charset=utf8")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return res, string(b)
}

// listAuthorizations calls ListAuthorizations with a token and returns
// the decoded body.
func listAuthorizations(t testing.TB, baseURL, token, query string) map[string]any {
	t.Helper()
	res, body := do(t, "GET", baseURL+"/v2/servicerequest/authorizations"+query, "", http.Header{"X-Auth-Token": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET authorizations: status %d, want 200: %s", res.StatusCode, body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("GET authorizations: %v: %s", err, body)
	}
	return v
}

// accountCreated is the --json output of account create.
type accountCreated struct {
	AccountID      string `json:"account_id"`
	AccountName    string `json:"account_name"`
	MasterUserID   string `json:"master_user_id"`
	MasterUserName string `json:"master_user_name"`
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// TestServe runs the server on a fresh data directory, administers it
// with the CLI while it runs, logs in through the API, and shuts it down
// while a request is in flight.
func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	e := env{}

	// The handler tells the test when the slow request has arrived.
	slowArrived := make(chan struct{})
	var once sync.Once
	middleware := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Test-Slow") != "" {
				once.Do(func() { close(slowArrived) })
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := startServer(t, e, middleware, "--data", data)

	t.Run("Healthz", func(t *testing.T) {
		res, body := do(t, "GET", srv.URL+"/healthz", "", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
	})

	t.Run("DataDirAndKeyFile", func(t *testing.T) {
		fi, err := os.Stat(data)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("data directory mode %04o, want 0700", perm)
		}
		fi, err = os.Stat(filepath.Join(data, "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("master.key mode %04o, want 0600", perm)
		}
		for _, name := range []string{"casebook.db", "blobs"} {
			if _, err := os.Stat(filepath.Join(data, name)); err != nil {
				t.Errorf("data directory: %v", err)
			}
		}
		key, _ := os.ReadFile(filepath.Join(data, "master.key"))
		if k := strings.TrimSpace(string(key)); k != "" && strings.Contains(srv.Stderr.String(), k) {
			t.Error("the master key appears in the log")
		}
	})

	t.Run("ListeningLogLine", func(t *testing.T) {
		if !strings.Contains(srv.Stderr.String(), "addr="+srv.Addr) {
			t.Errorf("no log line with the listen address %s:\n%s", srv.Addr, srv.Stderr)
		}
	})

	var acc accountCreated
	mustRunJSON(t, e, &acc, "account", "create", "--data", data, "--name", "acme", "--master", "boss", "--password", "s3cret-Passw0rd")
	if !isHexID(acc.AccountID) || !isHexID(acc.MasterUserID) || acc.AccountName != "acme" || acc.MasterUserName != "boss" {
		t.Fatalf("account create --json: %+v", acc)
	}

	token := customerToken(t, srv.URL, "acme", "boss", "s3cret-Passw0rd")
	t.Run("ListAuthorizations", func(t *testing.T) {
		v := listAuthorizations(t, srv.URL, token, "")
		if n, ok := v["count"].(float64); !ok || n != 0 {
			t.Errorf("count = %v, want 0: %v", v["count"], v)
		}
		if list, ok := v["incident_auth_list"].([]any); !ok || len(list) != 0 {
			t.Errorf("incident_auth_list = %v, want []", v["incident_auth_list"])
		}
	})

	t.Run("NoToken", func(t *testing.T) {
		res, body := do(t, "GET", srv.URL+"/v2/servicerequest/authorizations", "", nil)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401: %s", res.StatusCode, body)
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		res, body := do(t, "POST", srv.URL+"/v3/auth/tokens", keystoneBody("acme", "boss", "wrong"), nil)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401: %s", res.StatusCode, body)
		}
		if strings.Contains(srv.Stderr.String(), "s3cret-Passw0rd") {
			t.Error("a password appears in the log")
		}
	})

	// Graceful shutdown: a login whose body is still arriving when the
	// server is told to stop must complete.
	t.Run("ShutdownDrainsInFlightRequest", func(t *testing.T) {
		body := keystoneBody("acme", "boss", "s3cret-Passw0rd")
		pr, pw := io.Pipe()
		req, err := http.NewRequest("POST", srv.URL+"/v3/auth/tokens", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test-Slow", "1")
		type result struct {
			res  *http.Response
			body string
			err  error
		}
		resc := make(chan result, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				resc <- result{err: err}
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			resc <- result{res: res, body: string(b), err: err}
		}()
		if _, err := io.WriteString(pw, body[:len(body)/2]); err != nil {
			t.Fatal(err)
		}
		select {
		case <-slowArrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the slow request never reached the handler")
		}

		stopped := make(chan error, 1)
		go func() { stopped <- srv.Stop() }()

		// Wait until the server refuses new connections: shutdown has begun
		// while the slow request is still in its handler.
		deadline := time.Now().Add(30 * time.Second)
		for {
			conn, err := net.DialTimeout("tcp", srv.Addr, time.Second)
			if err != nil {
				break
			}
			conn.Close()
			if time.Now().After(deadline) {
				t.Fatal("the server still accepts connections after shutdown began")
			}
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case err := <-stopped:
			t.Fatalf("serve returned (%v) while a request was in flight", err)
		default:
		}

		if _, err := io.WriteString(pw, body[len(body)/2:]); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		r := <-resc
		if r.err != nil {
			t.Fatalf("in-flight request failed: %v", r.err)
		}
		if r.res.StatusCode != http.StatusCreated || r.res.Header.Get("X-Subject-Token") == "" {
			t.Fatalf("in-flight request: status %d, want 201 with a token: %s", r.res.StatusCode, r.body)
		}
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not return after the in-flight request completed")
		}
		if !strings.Contains(srv.Stderr.String(), "stopped") {
			t.Errorf("no shutdown log line:\n%s", srv.Stderr)
		}
	})
}

// TestServe_RestartKeepsKeyAndData checks that a restart on the same data
// directory reuses the key file (tokens issued before stay valid) and the
// database.
func TestServe_RestartKeepsKeyAndData(t *testing.T) {
	data := t.TempDir()
	e := env{}
	mustRun(t, e, "account", "create", "--data", data, "--name", "acme", "--password", "Acme-pass-1")

	srv := startServer(t, e, nil, "--data", data)
	token := customerToken(t, srv.URL, "acme", "admin", "Acme-pass-1")
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv = startServer(t, e, nil, "--data", data)
	listAuthorizations(t, srv.URL, token, "")
}

// TestServe_SharedMasterKey runs two servers on one database with the
// master key in the environment, as replicas would be: a token issued by
// one is accepted by the other, and no key file is written.
func TestServe_SharedMasterKey(t *testing.T) {
	data := t.TempDir()
	db := "sqlite:" + filepath.Join(data, "shared.db")
	e := env{"CASEBOOK_MASTER_KEY": strings.Repeat("4b", 32), "CASEBOOK_DB": db}
	mustRun(t, e, "account", "create", "--data", data, "--name", "acme", "--password", "Acme-pass-1")

	a := startServer(t, e, nil, "--data", data)
	b := startServer(t, e, nil, "--data", data)
	token := customerToken(t, a.URL, "acme", "admin", "Acme-pass-1")
	listAuthorizations(t, b.URL, token, "")

	if _, err := os.Stat(filepath.Join(data, "master.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was written although the key was given: %v", err)
	}

	// A server with another key refuses the token.
	other := env{"CASEBOOK_MASTER_KEY": strings.Repeat("5c", 32), "CASEBOOK_DB": db}
	c := startServer(t, other, nil, "--data", data)
	res, body := do(t, "GET", c.URL+"/v2/servicerequest/authorizations", "", http.Header{"X-Auth-Token": {token}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("token of another key: status %d, want 401: %s", res.StatusCode, body)
	}
}

// TestServe_BadConfig checks that serve refuses invalid settings before
// touching the disk.
func TestServe_BadConfig(t *testing.T) {
	for name, args := range map[string][]string{
		"LinkTTLTooShort": {"--link-ttl", "30s"},
		"LinkTTLTooLong":  {"--link-ttl", "25h"},
		"BadDB":           {"--db", "mysql://x"},
		"BadLogFormat":    {"--log-format", "xml"},
		"BadDuration":     {"--token-ttl", "soon"},
	} {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, err := run(t, env{}, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, args...)...)
			if err == nil {
				t.Fatal("serve accepted the configuration")
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("data directory created despite the error: %v", err)
			}
		})
	}
}

// TestMigrate checks that migrate creates and migrates a database, and is
// idempotent.
func TestMigrate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, env{}, "migrate", "--data", data)
	mustRun(t, env{}, "migrate", "--data", data)
	if _, err := os.Stat(filepath.Join(data, "casebook.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "master.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("migrate wrote a key file: %v", err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"user"}, {"user", "nope"}, {"serve", "extra"}, {"user", "create", "--account", "a"}} {
		m, _, stderr := newMain(env{}, "")
		err := m.Run(context.Background(), args)
		if err == nil {
			t.Errorf("casebook %v: no error", args)
			continue
		}
		if stderr.String() == "" || !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("casebook %v: no usage printed: %q", args, stderr)
		}
	}
	m, stdout, _ := newMain(env{}, "")
	if err := m.Run(context.Background(), []string{"serve", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("serve -h: %v", err)
	}
	for _, want := range []string{"--data", "--master-key", "CASEBOOK_", "--link-ttl"} {
		if !strings.Contains(stdout.String(), strings.TrimPrefix(want, "-")) {
			t.Errorf("serve -h does not mention %s", want)
		}
	}
	m, stdout, _ = newMain(env{}, "")
	m.Run(context.Background(), []string{"user", "create", "-h"})
	for _, want := range []string{"CASEBOOK_PASSWORD", "password-stdin"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("user create -h does not mention %s:\n%s", want, stdout)
		}
	}
}
