// Package e2e runs Casebook the way an operator does: the real binary, as
// separate OS processes, on a real PostgreSQL database and a real MinIO
// bucket. It proves what the in-process tests cannot: that replicas share
// nothing but the database, the bucket and the master key.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"

	"github.com/casebook/casebook/blob/s3"
	"github.com/casebook/casebook/blob/s3/s3test"
	"github.com/casebook/casebook/internal/client"
	"github.com/casebook/casebook/internal/pgtest"
)

// TestMain stops the MinIO server the tests start.
func TestMain(m *testing.M) { s3test.Main(m) }

// freshDatabase creates an empty PostgreSQL database, dropped at the end of
// the test (pgtest.Database, which skips or fails as it says), and returns
// its URL and a connection to it for reading rows the API does not show.
func freshDatabase(t *testing.T) (string, *pgx.Conn) {
	t.Helper()
	dsn := pgtest.Database(t, "casebook_e2e_")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return dsn, conn
}

// freshBucket creates an empty bucket on the test MinIO server (skipping
// or failing as s3test says when there is none) and empties and removes it
// at the end of the test. It returns the store, to look at the objects.
func freshBucket(t *testing.T) (*s3.Store, s3.Config) {
	t.Helper()
	cfg := s3test.Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s3.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		client := st.Client()
		objects := client.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true})
		for res := range client.RemoveObjects(ctx, cfg.Bucket, objects, minio.RemoveObjectsOptions{}) {
			t.Errorf("remove object %s: %v", res.ObjectName, res.Err)
		}
		if err := client.RemoveBucket(ctx, cfg.Bucket); err != nil {
			t.Errorf("remove bucket %s: %v", cfg.Bucket, err)
		}
	})
	return st, cfg
}

// countObjects returns how many objects the bucket holds under prefix.
func countObjects(t *testing.T, st *s3.Store, prefix string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	for obj := range st.Client().ListObjects(ctx, st.Bucket(), minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list objects: %v", obj.Err)
		}
		n++
	}
	return n
}

// buildCasebook builds ./cmd/casebook into a temporary directory, with the
// race detector when the test itself runs with it, so that a data race in
// a replica makes it exit non-zero.
func buildCasebook(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "casebook")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/casebook")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// cluster is what every casebook process of a deployment shares: the
// binary, the settings on the command line and the environment.
type cluster struct {
	bin   string
	flags []string // --db, --blobs, given to every command
	env   []string // the master key and the S3 credentials
	tmp   string
}

// processEnv returns the environment of a casebook process: the test's
// own without any CASEBOOK_* or AWS_* variable (a developer's settings must
// not leak in), the cluster's, a data directory of its own that must never
// be created, and extra.
func (c *cluster) processEnv(dataDir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CASEBOOK_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, c.env...)
	env = append(env, "CASEBOOK_DATA="+dataDir)
	return append(env, extra...)
}

// admin runs an admin command with --json against the cluster's store
// and decodes its output into v. extraEnv is for CASEBOOK_PASSWORD.
func (c *cluster) admin(t *testing.T, v any, extraEnv []string, args ...string) {
	t.Helper()
	args = append(append(args, c.flags...), "--json")
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.processEnv(filepath.Join(c.tmp, "admin-data"), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("casebook %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("casebook %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
}

// auditEvent is an event of `casebook audit list --json`.
type auditEvent struct {
	ActorRealm      string `json:"actor_realm"`
	Action          string `json:"action"`
	AuthorizationID string `json:"authorization_id"`
	Detail          string `json:"detail"`
}

// auditCounts reads the whole audit log with the admin command and counts
// the events per authorization id and action.
func (c *cluster) auditCounts(t *testing.T) map[string]map[string]int {
	t.Helper()
	var events []auditEvent
	c.admin(t, &events, nil, "audit", "list", "--limit", "100000")
	counts := make(map[string]map[string]int)
	for _, e := range events {
		if counts[e.AuthorizationID] == nil {
			counts[e.AuthorizationID] = make(map[string]int)
		}
		counts[e.AuthorizationID][e.Action]++
	}
	return counts
}

// replica is one `casebook serve` process.
type replica struct {
	name    string
	URL     string
	dataDir string
	cmd     *exec.Cmd
	log     *processLog
	exited  chan struct{} // closed when the process has exited
	waitErr error         // cmd.Wait's answer, set before exited closes
}

// startReplica starts `casebook serve` on a free port of 127.0.0.1; see
// waitListening. The process is killed at the end of the test if it still
// runs, and its log shown if the test failed.
func startReplica(t *testing.T, c *cluster, name string, flags ...string) *replica {
	t.Helper()
	r := &replica{
		name:    name,
		dataDir: filepath.Join(c.tmp, name+"-data"),
		log:     newProcessLog(),
		exited:  make(chan struct{}),
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, c.flags...)
	args = append(args, flags...)
	r.cmd = exec.Command(c.bin, args...)
	r.cmd.Env = c.processEnv(r.dataDir)
	r.cmd.Stdout = r.log
	r.cmd.Stderr = r.log
	setProcAttr(r.cmd)
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start replica %s: %v", name, err)
	}
	go func() {
		r.waitErr = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("log of replica %s (last lines):\n%s", name, r.log.tail(80))
		}
	})
	return r
}

// waitListening returns once the replica has logged its address, and sets
// r.URL.
func (r *replica) waitListening(t *testing.T) {
	t.Helper()
	name := r.name
	select {
	case addr := <-r.log.listening:
		r.URL = "http://" + addr
	case <-r.exited:
		t.Fatalf("replica %s exited before listening (%v):\n%s", name, r.waitErr, r.log.tail(40))
	case <-time.After(60 * time.Second):
		t.Fatalf("replica %s did not log its address within 60s:\n%s", name, r.log.tail(40))
	}
}

// waitReady polls GET /readyz until it answers 200.
func (r *replica) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := newClient().Get(r.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s: /readyz not 200 after 30s (last: %v)", r.name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// terminate sends SIGTERM and waits up to timeout for the process to exit.
// It returns cmd.Wait's answer.
func (r *replica) terminate(t *testing.T, timeout time.Duration) error {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signal replica %s: %v", r.name, err)
	}
	return r.waitExit(t, timeout)
}

func (r *replica) waitExit(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-r.exited:
		return r.waitErr
	case <-time.After(timeout):
		t.Fatalf("replica %s still runs %v after SIGTERM", r.name, timeout)
		return nil
	}
}

// processLog keeps a process's output line by line and reports the address
// in its "listening" log line.
type processLog struct {
	mu        sync.Mutex
	partial   []byte
	lines     []string
	listening chan string
}

func newProcessLog() *processLog { return &processLog{listening: make(chan string, 1)} }

func (l *processLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		l.lines = append(l.lines, line)
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			select {
			case l.listening <- rec.Addr:
			default:
			}
		}
	}
}

// all returns every complete line so far.
func (l *processLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *processLog) tail(n int) string {
	lines := l.all()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// records returns the JSON log records whose msg is msg.
func (l *processLog) records(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range l.all() {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// api returns a client of the replica.
func (r *replica) api() *client.Client {
	c := client.New(r.URL, sharedClient)
	c.Header = http.Header{"X-Language": {"en-us"}}
	return c
}

// response is an HTTP answer read in full.
type response struct{ client.Response }

func (r response) String() string { return r.Response.String() }

// errorCode returns the error_code of an error envelope.
func (r response) errorCode() string { return r.Response.ErrorCode() }

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not the JSON expected: %v: %s", err, r)
	}
}

func newClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// sharedClient keeps connections alive between requests, as a load
// balancer would.
var sharedClient = newClient()

// send sends a request to rawURL as who (nil: anonymous) with a JSON body
// (nil: none; []byte: sent as is). It returns an error instead of failing
// the test so that goroutines can use it.
func send(who client.Credential, method, rawURL string, body any) (response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return response{}, err
	}
	c := client.New(u.Scheme+"://"+u.Host, sharedClient)
	c.Header = http.Header{"X-Language": {"en-us"}}
	res, err := c.Send(context.Background(), method, u.RequestURI(), who, body)
	if err != nil {
		return response{}, err
	}
	return response{*res}, nil
}

func roundTrip(hc *http.Client, req *http.Request) (response, error) {
	res, err := (&client.Client{HTTP: hc}).Do(req)
	if err != nil {
		return response{}, err
	}
	return response{*res}, nil
}

// do is send for the test goroutine: a transport failure fails the test.
func do(t *testing.T, who client.Credential, method, rawURL string, body any) response {
	t.Helper()
	res, err := send(who, method, rawURL, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	return res
}

// expect is do that also fails the test unless the status is want.
func expect(t *testing.T, want int, who client.Credential, method, rawURL string, body any) response {
	t.Helper()
	res := do(t, who, method, rawURL, body)
	if res.Status != want {
		t.Fatalf("%s %s: got %s, want status %d", method, rawURL, res, want)
	}
	return res
}

// passwordAuth is the body of a customer's POST /v3/auth/tokens.
func passwordAuth(account, user, password string) map[string]any {
	return client.PasswordAuth(account, user, password)
}

// customerLogin gets a token from POST /v3/auth/tokens on r.
func customerLogin(t *testing.T, r *replica, account, user, password string) client.Token {
	t.Helper()
	tok, err := r.api().Login(context.Background(), account, user, password)
	if err != nil {
		t.Fatalf("log in %s of %s through replica %s: %v", user, account, r.name, err)
	}
	return tok
}

// engineerLogin gets a token from POST /support/v1/auth/tokens on r.
func engineerLogin(t *testing.T, r *replica, name, password string) client.Token {
	t.Helper()
	tok, err := r.api().LoginEngineer(context.Background(), name, password)
	if err != nil {
		t.Fatalf("log in engineer %s through replica %s: %v", name, r.name, err)
	}
	return tok
}

// createCase opens a ticket through r and returns its id.
func createCase(t *testing.T, r *replica, who client.Credential, description string) string {
	t.Helper()
	id, err := r.api().CreateCase(context.Background(), who, client.NewCase{BusinessTypeID: "1", SimpleDescription: description})
	if err != nil {
		t.Fatalf("CreateCases through %s: %v", r.name, err)
	}
	return id
}

// authorization is an access request: its id and the id of its one
// detail item (detail ids are unique across authorizations).
type authorization struct {
	ID       string
	DetailID int64
}

// requestAuthorization has the engineer ask for SSH access on a ticket
// through r.
func requestAuthorization(t *testing.T, r *replica, engineer client.Credential, caseID string) authorization {
	t.Helper()
	out, err := r.api().RequestAuthorization(context.Background(), engineer, caseID, client.AccessRequest{
		Describe: "SSH to web-1 to read the nginx logs.", InstanceID: "i-0abc", InstanceName: "web-1",
		RegionID: "cn-south-1", Port: 22, Account: "root"})
	if err != nil {
		t.Fatalf("authorization request through %s: %v", r.name, err)
	}
	if out.Status != 0 || len(out.DetailIDs) != 1 || out.DetailIDs[0] == 0 {
		t.Fatalf("authorization request through %s: %+v, want one detail, pending", r.name, out)
	}
	return authorization{ID: out.ID, DetailID: out.DetailIDs[0]}
}

// confirmBody is ConfirmAuthorizations' body: a password for the detail
// item of au and the window [now, now+window).
func confirmBody(au authorization, password string, window time.Duration) map[string]any {
	return confirmBodyUntil(au, password, time.Now().Add(window))
}

// confirmBodyUntil is confirmBody for the window [now, end).
func confirmBodyUntil(au authorization, password string, end time.Time) map[string]any {
	return client.Grant{DetailID: au.DetailID, Password: password, From: time.Now(), Until: end}.Body()
}

// customerStatus reads an authorization's status through the OSM API.
func customerStatus(t *testing.T, r *replica, who client.Credential, id string) int {
	t.Helper()
	status, err := r.api().AuthorizationStatus(context.Background(), who, id)
	if err != nil {
		t.Fatalf("ShowAuthorizationDetail %s through %s: %v", id, r.name, err)
	}
	return status
}

// engineerStatus reads an authorization's status through the support API.
func engineerStatus(t *testing.T, r *replica, engineer client.Credential, id string) int {
	t.Helper()
	status, err := r.api().EngineerAuthorizationStatus(context.Background(), engineer, id)
	if err != nil {
		t.Fatalf("support authorization %s through %s: %v", id, r.name, err)
	}
	return status
}

// readCredentials asks for a grant's credentials through r as the engineer.
func readCredentials(who client.Credential, r *replica, id string) (response, error) {
	return send(who, "GET", r.URL+"/support/v1/authorizations/"+id+"/credentials", nil)
}

// passwordOf returns the password of au's detail item in a credentials
// answer.
func passwordOf(t *testing.T, au authorization, res response) string {
	t.Helper()
	var out struct {
		Credentials []struct {
			AuthDetailID int64  `json:"auth_detail_id"`
			Password     string `json:"password"`
		} `json:"credentials"`
	}
	res.decode(t, &out)
	if len(out.Credentials) != 1 || out.Credentials[0].AuthDetailID != au.DetailID {
		t.Fatalf("credentials of %s: want one for detail %d: %d entries", au.ID, au.DetailID, len(out.Credentials))
	}
	return out.Credentials[0].Password
}

// waitFor polls cond every 100ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
