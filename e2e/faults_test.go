package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casebook/casebook/internal/client"
)

// Faults on the scale-out path: replicas on PostgreSQL and S3 while a
// replica is killed, while PostgreSQL restarts, and while the object store
// is down. The database and object store that the tests stop are private
// to the test (a PostgreSQL cluster in a temporary directory, a MinIO
// process of its own): the machine's shared ones are never touched.

// faultPassword is the password of every identity the fault tests create.
const faultPassword = "Fault-pass-1"

// newFaultCluster returns a cluster on dsn with attachments in blobs (a
// directory or an s3:// URL), with the account "acme" (master "admin") and
// the engineer "eve" created by the admin commands.
func newFaultCluster(t *testing.T, dsn, blobs string, env ...string) *cluster {
	t.Helper()
	c := &cluster{
		bin:   buildCasebook(t),
		tmp:   t.TempDir(),
		flags: []string{"--db", dsn, "--blobs", blobs},
		env:   append([]string{"CASEBOOK_MASTER_KEY=" + randomHex(32)}, env...),
	}
	var out map[string]any
	c.admin(t, &out, []string{"CASEBOOK_PASSWORD=" + faultPassword}, "account", "create", "--name", "acme")
	c.admin(t, &out, []string{"CASEBOOK_PASSWORD=" + faultPassword}, "engineer", "create", "--name", "eve")
	return c
}

// startReady starts a replica and waits until it answers /readyz.
func startReady(t *testing.T, c *cluster, name string, flags ...string) *replica {
	t.Helper()
	r := startReplica(t, c, name, flags...)
	r.waitListening(t)
	r.waitReady(t)
	return r
}

// readyStatus returns the status of GET /readyz, or 0 if the replica does
// not answer.
func readyStatus(r *replica) int {
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(r.URL + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestFaults_KillReplicaUnderWriteLoad: while four writers open tickets
// through two replicas on PostgreSQL, one replica is killed with SIGKILL.
// Every ticket whose creation was acknowledged (200 with an id) is in the
// database afterwards and readable through the surviving replica; writes
// cut off by the kill fail at the client, never half-done.
func TestFaults_KillReplicaUnderWriteLoad(t *testing.T) {
	dsn, db := freshDatabase(t)
	c := newFaultCluster(t, dsn, filepath.Join(t.TempDir(), "blobs"))
	a := startReady(t, c, "A")
	b := startReady(t, c, "B")
	who := customerLogin(t, a, "acme", "admin", faultPassword)

	var (
		mu       sync.Mutex
		acked    []string
		failed   int
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		killedAt = make(chan struct{})
	)
	for i := 0; i < 4; i++ {
		target := []*replica{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := send(who, "POST", target.URL+"/v2/servicerequest/cases",
					map[string]string{"business_type_id": "1", "simple_description": fmt.Sprintf("load %s %d", target.name, n)})
				var out struct {
					ID string `json:"incident_id"`
				}
				mu.Lock()
				if err == nil && res.Status == http.StatusOK && json.Unmarshal(res.Body, &out) == nil && out.ID != "" {
					acked = append(acked, out.ID)
				} else {
					failed++
				}
				mu.Unlock()
				if err != nil && target == a {
					<-killedAt // A is gone: this writer is done
					return
				}
			}
		}()
	}

	// Kill A once both replicas have acknowledged some writes.
	if !waitFor(30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 40 }) {
		t.Fatalf("only %d writes acknowledged in 30s", len(acked))
	}
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	close(killedAt)
	mu.Lock()
	atKill := len(acked)
	mu.Unlock()
	// B keeps serving.
	if !waitFor(30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= atKill+20 }) {
		t.Errorf("B acknowledged fewer than 20 writes after A was killed")
	}
	close(stop)
	wg.Wait()

	ctx := context.Background()
	var stored int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM cases WHERE id = ANY($1)", acked).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != len(acked) {
		t.Fatalf("%d of %d acknowledged tickets are in the database", stored, len(acked))
	}
	for _, id := range []string{acked[0], acked[len(acked)/2], acked[len(acked)-1]} {
		expect(t, http.StatusOK, who, "GET", b.URL+"/v2/servicerequest/cases/"+id, nil)
	}
	t.Logf("%d writes acknowledged (%d before the kill), %d failed at the client", len(acked), atKill, failed)

	// A restarted on the same database serves again.
	a2 := startReady(t, c, "A2")
	expect(t, http.StatusOK, who, "GET", a2.URL+"/v2/servicerequest/cases/"+acked[len(acked)-1], nil)
}

// TestFaults_PostgresRestart: the PostgreSQL server behind two replicas is
// stopped and started again. Meanwhile /readyz answers 503; afterwards
// both replicas answer 200 and serve reads and writes again, without
// being restarted.
func TestFaults_PostgresRestart(t *testing.T) {
	pg := startPrivatePostgres(t)
	c := newFaultCluster(t, pg.dsn, filepath.Join(t.TempDir(), "blobs"))
	a := startReady(t, c, "A")
	b := startReady(t, c, "B")
	who := customerLogin(t, a, "acme", "admin", faultPassword)
	before := createCase(t, b, who, "before the restart")

	pg.stop(t)
	for _, r := range []*replica{a, b} {
		if !waitFor(30*time.Second, func() bool { return readyStatus(r) == http.StatusServiceUnavailable }) {
			t.Fatalf("replica %s: /readyz is %d, not 503, with PostgreSQL down", r.name, readyStatus(r))
		}
	}
	// A request that needs the database fails cleanly meanwhile.
	if res, err := send(who, "GET", a.URL+"/v2/servicerequest/cases/"+before, nil); err != nil || res.Status < 500 || res.errorCode() == "" {
		t.Errorf("a read with PostgreSQL down: %v %s; want a 5xx in the error envelope", err, res)
	}

	pg.start(t)
	for _, r := range []*replica{a, b} {
		if !waitFor(60*time.Second, func() bool { return readyStatus(r) == http.StatusOK }) {
			t.Fatalf("replica %s: /readyz is %d, not 200, after PostgreSQL came back", r.name, readyStatus(r))
		}
	}
	for _, r := range []*replica{a, b} {
		expect(t, http.StatusOK, who, "GET", r.URL+"/v2/servicerequest/cases/"+before, nil)
		after := createCase(t, r, who, "after the restart through "+r.name)
		expect(t, http.StatusOK, who, "GET", r.URL+"/v2/servicerequest/cases/"+after, nil)
	}
	for _, r := range []*replica{a, b} {
		select {
		case <-r.exited:
			t.Errorf("replica %s exited: %v", r.name, r.waitErr)
		default:
		}
	}
}

// TestFaults_ObjectStoreDown: with the S3 server stopped, uploads through
// either replica fail with 503 in the OSM envelope and leave no row; the
// rest of the API keeps working; once the server is back, uploads work
// again without restarting the replicas.
func TestFaults_ObjectStoreDown(t *testing.T) {
	dsn, db := freshDatabase(t)
	minio := startPrivateMinIO(t)
	c := newFaultCluster(t, dsn,
		fmt.Sprintf("s3://faults?endpoint=%s&insecure=true&create=true&region=us-east-1", minio.endpoint),
		"CASEBOOK_S3_ACCESS_KEY="+minio.accessKey, "CASEBOOK_S3_SECRET_KEY="+minio.secretKey)
	a := startReady(t, c, "A")
	b := startReady(t, c, "B")
	who := customerLogin(t, a, "acme", "admin", faultPassword)
	upload(t, a, who, "before.txt", []byte("stored before the outage"))

	countRows := func() int {
		var n int
		if err := db.QueryRow(context.Background(), "SELECT count(*) FROM accessories").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rowsBefore := countRows()

	minio.stop(t)
	for _, r := range []*replica{a, b} {
		res := tryUpload(t, r, who, "during.txt", bytes.Repeat([]byte("x"), 10_000))
		if res.Status != http.StatusServiceUnavailable || res.errorCode() != "OSM.0004" {
			t.Errorf("upload through %s with the object store down: %s; want 503 OSM.0004", r.name, res)
		}
	}
	if n := countRows(); n != rowsBefore {
		t.Errorf("%d attachment rows after failed uploads, want %d", n, rowsBefore)
	}
	// What does not need the object store still works.
	createCase(t, b, who, "during the object store outage")

	minio.start(t)
	for _, r := range []*replica{a, b} {
		var res response
		if !waitFor(60*time.Second, func() bool {
			res = tryUpload(t, r, who, "after.txt", []byte("stored after the outage"))
			return res.Status == http.StatusOK
		}) {
			t.Fatalf("upload through %s after the object store came back: %s", r.name, res)
		}
	}
	if n := countRows(); n != rowsBefore+2 {
		t.Errorf("%d attachment rows, want %d", n, rowsBefore+2)
	}
}

// tryUpload sends a small multipart upload through r and returns the
// answer, whatever it is.
func tryUpload(t *testing.T, r *replica, who client.Credential, name string, content []byte) response {
	t.Helper()
	req, err := r.api().UploadRequest(context.Background(), who, client.Upload{FileName: name, Content: content})
	if err != nil {
		t.Fatal(err)
	}
	res, err := roundTrip(&http.Client{Timeout: 2 * time.Minute}, req)
	if err != nil {
		t.Fatalf("upload through %s: %v", r.name, err)
	}
	return res
}

// privatePostgres is a PostgreSQL cluster of the test's own, in a
// temporary directory, on a free port of 127.0.0.1.
type privatePostgres struct {
	bin, dir string
	port     int
	asUser   string // run the server as this user ("" = as the test)
	dsn      string
}

// postgresBinDir holds the PostgreSQL server binaries (Debian's layout).
const postgresBinDir = "/usr/lib/postgresql/15/bin"

// startPrivatePostgres initialises and starts a PostgreSQL cluster for one
// test. PostgreSQL refuses to run as root; as root the server runs as the
// user postgres, in a directory it owns. It skips when the binaries are
// missing, unless CASEBOOK_TEST_POSTGRES is set (CI).
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	if _, err := os.Stat(filepath.Join(postgresBinDir, "initdb")); err != nil {
		if os.Getenv("CASEBOOK_TEST_POSTGRES") != "" {
			t.Fatalf("PostgreSQL server binaries missing in %s: %v", postgresBinDir, err)
		}
		t.Skipf("PostgreSQL server binaries missing in %s: %v", postgresBinDir, err)
	}
	pg := &privatePostgres{bin: postgresBinDir}
	// Not t.TempDir(): its parent is 0700 and the server's user must
	// reach the directory.
	dir, err := os.MkdirTemp("", "casebook-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg.dir = filepath.Join(dir, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and there is no user postgres to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.asUser = "postgres"
	}
	if out, err := pg.command("initdb", "-D", pg.dir, "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg.port = freePort(t)
	pg.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
	pg.start(t)
	t.Cleanup(func() {
		pg.command("pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop").Run()
	})
	return pg
}

// command returns a command of the PostgreSQL binaries, run as pg.asUser.
func (pg *privatePostgres) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bin, name)
	if pg.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", pg.asUser, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (pg *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir)
	if out, err := pg.command("pg_ctl", "-D", pg.dir, "-o", opts, "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.dsn)
	if err != nil {
		t.Fatalf("connect to the private PostgreSQL: %v", err)
	}
	conn.Close(ctx)
}

func (pg *privatePostgres) stop(t *testing.T) {
	t.Helper()
	if out, err := pg.command("pg_ctl", "-D", pg.dir, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// privateMinIO is a MinIO server of the test's own, which it may stop and
// start again on the same port and data.
type privateMinIO struct {
	bin, dir             string
	endpoint             string
	accessKey, secretKey string
	cmd                  *exec.Cmd
	exited               chan struct{}
}

// startPrivateMinIO starts MinIO for one test. It skips without a MinIO
// binary (see scripts/minio.sh), unless CASEBOOK_TEST_S3_REQUIRED=1.
func startPrivateMinIO(t *testing.T) *privateMinIO {
	t.Helper()
	bin, err := findMinIO()
	if err != nil {
		if os.Getenv("CASEBOOK_TEST_S3_REQUIRED") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	m := &privateMinIO{bin: bin, dir: t.TempDir(), accessKey: "fault" + randomHex(6), secretKey: randomHex(16)}
	m.endpoint = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	m.start(t)
	t.Cleanup(func() { m.kill() })
	return m
}

// findMinIO looks where scripts/minio.sh puts the binary.
func findMinIO() (string, error) {
	if p := os.Getenv("CASEBOOK_TEST_MINIO"); p != "" {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		for _, dir := range []string{lines[0], filepath.Join(strings.Split(lines[len(lines)-1], ":")[0], "bin")} {
			if p := filepath.Join(dir, "minio"); dir != "" && isExecutable(p) {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", errors.New("no MinIO binary (run scripts/minio.sh, or set CASEBOOK_TEST_MINIO)")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func (m *privateMinIO) start(t *testing.T) {
	t.Helper()
	m.cmd = exec.Command(m.bin, "server", m.dir, "--address", m.endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--quiet")
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.accessKey, "MINIO_ROOT_PASSWORD="+m.secretKey, "MINIO_BROWSER=off")
	setProcAttr(m.cmd)
	var log bytes.Buffer
	m.cmd.Stdout, m.cmd.Stderr = &log, &log
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("start MinIO: %v", err)
	}
	m.exited = make(chan struct{})
	go func() { m.cmd.Wait(); close(m.exited) }()
	client := &http.Client{Timeout: 2 * time.Second}
	if !waitFor(60*time.Second, func() bool {
		res, err := client.Get("http://" + m.endpoint + "/minio/health/live")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}) {
		t.Fatalf("MinIO not live after 60s")
	}
}

func (m *privateMinIO) stop(t *testing.T) {
	t.Helper()
	m.kill()
}

func (m *privateMinIO) kill() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	select {
	case <-m.exited:
	default:
		m.cmd.Process.Kill()
		<-m.exited
	}
}
