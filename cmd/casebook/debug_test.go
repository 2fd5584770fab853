package main_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestDebugAddr checks that net/http/pprof is served only on the listener
// of --debug-addr, only on loopback, and not at all by default.
func TestDebugAddr(t *testing.T) {
	srv := startServer(t, env{"CASEBOOK_DATA": t.TempDir()}, nil, "--debug-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`debug_addr=(\S+)`).FindStringSubmatch(srv.Stderr.String())
	if m == nil {
		t.Fatalf("no debug_addr in the log:\n%s", srv.Stderr)
	}
	res, err := http.Get("http://" + m[1] + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/debug/pprof/cmdline on --debug-addr: %d, want 200", res.StatusCode)
	}
	res, err = http.Get(srv.URL + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/debug/pprof/cmdline on the API listener: %d, want 404", res.StatusCode)
	}

	plain := startServer(t, env{"CASEBOOK_DATA": t.TempDir()}, nil)
	if strings.Contains(plain.Stderr.String(), "debug_addr") {
		t.Errorf("a debug listener without --debug-addr:\n%s", plain.Stderr)
	}

	if _, err := run(t, env{"CASEBOOK_DATA": t.TempDir()}, "serve", "--addr", "127.0.0.1:0", "--debug-addr", "0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("--debug-addr 0.0.0.0:0: %v, want a refusal naming loopback", err)
	}
}
