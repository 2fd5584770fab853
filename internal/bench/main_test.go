package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook/internal/bench"
)

// run runs casebook-bench in-process and returns its standard output.
func run(t testing.TB, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &bench.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), args)
	if err != nil {
		t.Logf("casebook-bench %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), err
}

// mustRun runs casebook-bench in-process and fails the test if it fails.
func mustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("casebook-bench %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// binaries builds ./cmd/casebook and ./cmd/casebook-bench once per test
// run: the server runs as its own process, as an operator runs it, so
// that its resident memory is its own.
var binaries = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "casebook-bench-test-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", dir, "./cmd/casebook", "./cmd/casebook-bench")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return dir, nil
})

func binary(t testing.TB, name string) string {
	t.Helper()
	dir, err := binaries()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := binaries(); err == nil && dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// server is a `casebook serve` process.
type server struct {
	URL string
	PID int
	log *lockedBuffer
}

// startServer runs `casebook serve` on a free loopback port with the data
// directory data until the test ends.
func startServer(t testing.TB, data string) *server {
	t.Helper()
	cmd := exec.Command(binary(t, "casebook"), "serve", "--addr", "127.0.0.1:0", "--data", data, "--log-format", "json")
	cmd.Env = cleanEnv()
	s := &server{log: &lockedBuffer{}}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = s.log, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.PID = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); pw.Close() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			s.log.Write(append(sc.Bytes(), '\n'))
			var rec struct{ Msg, Addr string }
			if !sent && json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
				addr <- rec.Addr
				sent = true
			}
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case err := <-exited:
		t.Fatalf("casebook serve exited before listening: %v\n%s", err, s.log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("casebook serve did not listen within 60s:\n%s", s.log.String())
	}
	return s
}

// cleanEnv is the test's environment without CASEBOOK_* settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CASEBOOK_") {
			env = append(env, kv)
		}
	}
	return env
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
