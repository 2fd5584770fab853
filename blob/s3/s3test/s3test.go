// Package s3test runs a real MinIO server for tests: one process per test
// binary, started on first use on a free 127.0.0.1 port with a temporary
// data directory and random root credentials.
//
// A package whose tests need S3 stops the server after its tests:
//
//	func TestMain(m *testing.M) { s3test.Main(m) }
//
// and each test takes a store on a bucket of its own with Open(t), or the
// server's address and credentials with StartMinIO(t).
//
// The binary is $CASEBOOK_TEST_MINIO if set, else minio in $(go env GOBIN)
// or $(go env GOPATH)/bin, else minio on $PATH (scripts/minio.sh installs it). Without it the tests
// skip, unless CASEBOOK_TEST_S3_REQUIRED=1, which makes them fail.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casebook/casebook/blob/s3"
)

// startTimeout bounds how long MinIO may take to report itself live.
const startTimeout = 60 * time.Second

var (
	mu      sync.Mutex
	shared  *server
	failure error // a failed start is not retried by later tests
	binary  string
	lookErr error
	looked  bool
	buckets atomic.Int64
)

type server struct {
	endpoint  string
	accessKey string
	secretKey string
	cmd       *exec.Cmd
	exited    chan struct{}
	dataDir   string
	log       *lockedBuffer
}

// Main runs the tests, stops the server if one was started, and exits.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop kills the shared server and removes its data. Safe to call when
// none was started.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		shared.stop()
		shared = nil
	}
}

// StartMinIO returns the address and root credentials of the test binary's
// MinIO server, starting it on first use. It skips tb when there is no
// MinIO binary (see the package comment) and fails it when the server does
// not start.
func StartMinIO(tb testing.TB) (endpoint, accessKey, secretKey string) {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		return shared.endpoint, shared.accessKey, shared.secretKey
	}
	if failure != nil {
		tb.Fatalf("minio: %v", failure)
	}
	if !looked {
		binary, lookErr = findBinary()
		looked = true
	}
	bin, err := binary, lookErr
	if err != nil {
		if os.Getenv("CASEBOOK_TEST_S3_REQUIRED") == "1" {
			tb.Fatalf("minio: %v (CASEBOOK_TEST_S3_REQUIRED=1)", err)
		}
		tb.Skipf("minio: %v; skipping S3 tests (run scripts/minio.sh to install it)", err)
	}
	// A port picked from a closed listener can be taken before MinIO binds
	// it; try a few times.
	for attempt := 1; ; attempt++ {
		shared, err = start(bin)
		if err == nil {
			return shared.endpoint, shared.accessKey, shared.secretKey
		}
		if attempt == 3 {
			failure = err
			tb.Fatalf("minio: %v", err)
		}
	}
}

// Config returns a configuration for a new, uniquely named bucket on the
// shared server, to be created by s3.Open.
func Config(tb testing.TB) s3.Config {
	tb.Helper()
	endpoint, accessKey, secretKey := StartMinIO(tb)
	return s3.Config{
		Endpoint:     endpoint,
		Bucket:       fmt.Sprintf("test-%d-%s", buckets.Add(1), randomHex(4)),
		AccessKey:    accessKey,
		SecretKey:    secretKey,
		Region:       "us-east-1",
		CreateBucket: true,
	}
}

// Open returns a store on a new bucket of the shared server.
func Open(tb testing.TB) *s3.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s3.Open(ctx, Config(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// findBinary looks for MinIO where the package comment says.
func findBinary() (string, error) {
	if p := os.Getenv("CASEBOOK_TEST_MINIO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CASEBOOK_TEST_MINIO=%s: %w", p, err)
		}
		return p, nil
	}
	for _, dir := range goBinDirs() {
		p := filepath.Join(dir, "minio")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", errors.New("no minio binary in $CASEBOOK_TEST_MINIO, $(go env GOBIN), $(go env GOPATH)/bin or $PATH")
}

// goBinDirs returns where `go install` puts binaries: GOBIN if set, and
// the bin directory of each GOPATH entry.
func goBinDirs() []string {
	gobin, gopath := "", build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		if lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); len(lines) == 2 {
			gobin, gopath = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
		}
	}
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, p := range filepath.SplitList(gopath) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	return dirs
}

func start(bin string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dataDir, err := os.MkdirTemp("", "casebook-minio-")
	if err != nil {
		return nil, err
	}
	s := &server{
		endpoint:  fmt.Sprintf("127.0.0.1:%d", port),
		accessKey: "test" + randomHex(8),
		secretKey: randomHex(20),
		dataDir:   dataDir,
		exited:    make(chan struct{}),
		log:       &lockedBuffer{},
	}
	s.cmd = exec.Command(bin, "server", "--quiet",
		"--address", s.endpoint,
		"--certs-dir", filepath.Join(dataDir, "certs"),
		filepath.Join(dataDir, "data"))
	s.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.accessKey,
		"MINIO_ROOT_PASSWORD="+s.secretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	setProcAttr(s.cmd) // dies with the test binary, where supported
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()

	if err := s.waitLive(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, s.redactedLog())
	}
	return s, nil
}

// waitLive polls the liveness endpoint until it answers 200.
func (s *server) waitLive() error {
	client := &http.Client{Timeout: time.Second}
	url := "http://" + s.endpoint + "/minio/health/live"
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited before becoming live (%v)", s.cmd.ProcessState)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not live at %s after %v", url, startTimeout)
}

func (s *server) stop() {
	s.cmd.Process.Kill()
	<-s.exited
	os.RemoveAll(s.dataDir)
}

// redactedLog returns MinIO's output without the root password, which
// MinIO prints at startup.
func (s *server) redactedLog() string {
	return strings.ReplaceAll(s.log.String(), s.secretKey, "[REDACTED]")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedBuffer collects the server's output, written from exec's copying
// goroutines and read on failure.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil // enough to diagnose; drop the rest
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
