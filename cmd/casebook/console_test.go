package main_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeConsole checks that serve mounts the web console at / and keeps
// the API's paths and error envelope, and that --no-console leaves it out.
func TestServeConsole(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, env{}, nil, "--data", data)

	res, body := do(t, "GET", srv.URL+"/login", "", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") || !strings.Contains(body, `id="login-form"`) {
		t.Fatalf("GET /login: %d %v\n%s", res.StatusCode, res.Header, body)
	}
	res, body = do(t, "GET", srv.URL+"/v2/servicerequest/nope", "", nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error_code"`) {
		t.Fatalf("an unknown API path must keep the error envelope: %d %s", res.StatusCode, body)
	}
	res, body = do(t, "GET", srv.URL+"/healthz", "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", res.StatusCode, body)
	}

	off := startServer(t, env{}, nil, "--data", filepath.Join(t.TempDir(), "data"), "--no-console")
	res, body = do(t, "GET", off.URL+"/login", "", nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error_code"`) {
		t.Fatalf("--no-console: GET /login: %d %s", res.StatusCode, body)
	}
}

// TestDemoPrintsConsole checks that demo names the console and its logins.
func TestDemoPrintsConsole(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out := mustRun(t, env{}, "demo", "--data", data, "--addr", "127.0.0.1:18080")
	for _, want := range []string{"http://127.0.0.1:18080/login", "http://127.0.0.1:18080/engineer/login", `account "demo"`} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
