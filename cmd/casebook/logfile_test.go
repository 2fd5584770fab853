package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serve's log to a regular file: info lines wait for the interval, a line
// at warn or above writes everything before it at once, and stopping
// writes the rest. No line is lost.
func TestServeLogFile(t *testing.T) {
	defer func(d time.Duration) { logFlushInterval = d }(logFlushInterval)
	logFlushInterval = time.Hour // only warn lines and the stop write

	dir := t.TempDir()
	f, err := os.Create(dir + "/casebook.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: f, Getenv: func(k string) string {
		if k == "CASEBOOK_DATA" {
			return dir + "/data"
		}
		return ""
	}}
	addrc := make(chan string, 1)
	m.Listening = func(addr string) { addrc <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var url string
	select {
	case addr := <-addrc:
		url = "http://" + addr
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	get := func(path string, want int) {
		t.Helper()
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	requestLines := func() int {
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(b), "msg=request ")
	}

	for range 20 {
		get("/healthz", http.StatusOK)
	}
	if n := requestLines(); n != 0 {
		t.Fatalf("%d request lines in the file before the interval, a warning or the stop; want them buffered", n)
	}
	get("/v2/servicerequest/authorizations", http.StatusUnauthorized) // logged at warn
	deadline := time.Now().Add(10 * time.Second)
	for requestLines() < 21 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := requestLines(); n != 21 {
		t.Fatalf("after a line at warn: %d request lines in the file, want all 21", n)
	}
	for range 5 {
		get("/healthz", http.StatusOK)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if n := requestLines(); n != 26 {
		t.Fatalf("after serve stopped: %d request lines in the file, want 26", n)
	}
}
