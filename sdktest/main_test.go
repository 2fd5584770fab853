package sdktest

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
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	osm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2"
)

// world is what TestMain set up: the running server and the identities the
// tests act as. Tests read it and never change it.
var world *World

// World is one running Casebook with its accounts.
//
// Account acme: master user admin; sub-users alice, bob, carol, pager;
// group team = {alice, bob}, group side = {alice, carol}. Account globex:
// master user admin, sub-user dave in group crew. One support engineer.
type World struct {
	Bin     string // the casebook binary under test
	Data    string // its data directory
	BaseURL string // http://127.0.0.1:<port>

	Acme, Globex Account

	AcmeAdmin, Alice, Bob, Carol, Pager *Customer
	GlobexAdmin, Dave                   *Customer
	Team, Side, Crew                    Group

	// AliceSpare is a second key of alice's, which TestDisabledKey disables.
	AliceSpare *Customer

	Engineer *Engineer
}

// Account is a customer account (an IAM domain).
type Account struct {
	ID, Name string
}

// Group is a user group of an account.
type Group struct {
	ID, Name string
}

// Customer is a user of an account with an access key and an SDK client
// built from it (with the account id as domain id, no IAM call).
type Customer struct {
	Account           Account
	Name, Password    string
	UserID            string
	AccessKey, Secret string
	Client            *osm.OsmClient
}

// attachmentMaxMB is passed to serve; ShowAccessoryLimits must report it.
const attachmentMaxMB = 3

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "casebook-sdktest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdktest:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	// The child processes (go build, casebook) get the environment as it
	// was; this process then changes it for the SDK: the SDK writes
	// ~/.huaweicloud/application_id on first use, which belongs out of the
	// developer's home, and settings meant for real clouds must not steer
	// these clients.
	origEnv = os.Environ()
	os.Setenv("HOME", tmp)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "HUAWEICLOUD_SDK_") {
			os.Unsetenv(name)
		}
	}

	w, srv, err := setUp(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdktest: set-up failed:", err)
		if srv != nil {
			srv.stop()
			fmt.Fprintln(os.Stderr, srv.logTail())
		}
		return 1
	}
	world = w

	code := m.Run()

	if err := srv.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "sdktest: casebook serve did not stop cleanly on SIGTERM:", err)
		code = 1
	}
	if leaks := srv.secretsInLog(); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "sdktest: the server log contains %d secret(s) (passwords, secret keys or tokens), e.g. in: %s\n", len(leaks), leaks[0])
		code = 1
	}
	if code != 0 {
		fmt.Fprintln(os.Stderr, srv.logTail())
	}
	return code
}

// setUp builds the binary, creates the data with the admin commands, and
// starts the server.
func setUp(tmp string) (*World, *server, error) {
	w := &World{Data: filepath.Join(tmp, "data")}
	var err error
	if w.Bin, err = casebookBinary(tmp); err != nil {
		return nil, nil, err
	}
	if err := w.createData(); err != nil {
		return nil, nil, err
	}
	srv, err := startServer(w.Bin, w.Data, filepath.Join(tmp, "serve.log"))
	if err != nil {
		return nil, srv, err
	}
	w.BaseURL = srv.baseURL
	for _, c := range []*Customer{w.AcmeAdmin, w.Alice, w.Bob, w.Carol, w.Pager, w.GlobexAdmin, w.Dave, w.AliceSpare} {
		if c.Client, err = newClient(w.BaseURL, c.AccessKey, c.Secret, c.Account.ID); err != nil {
			return nil, srv, fmt.Errorf("SDK client for %s: %w", c.Name, err)
		}
	}
	return w, srv, nil
}

// casebookBinary returns CASEBOOK_SDKTEST_BIN, or builds cmd/casebook from
// the parent module into dir.
func casebookBinary(dir string) (string, error) {
	if bin := os.Getenv("CASEBOOK_SDKTEST_BIN"); bin != "" {
		return bin, nil
	}
	bin := filepath.Join(dir, "casebook")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/casebook")
	cmd.Dir = ".."
	cmd.Env = origEnv // the real HOME: its build and module caches
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/casebook in the parent module: %w\n%s", err, out)
	}
	return bin, nil
}

// origEnv is the environment the test process started with.
var origEnv []string

// childEnv is the environment of the casebook processes: the test's
// original one, without CASEBOOK_* settings that would point them at
// another store.
func childEnv() []string {
	var env []string
	for _, kv := range origEnv {
		if !strings.HasPrefix(kv, "CASEBOOK_") {
			env = append(env, kv)
		}
	}
	return env
}

// cli runs an admin command against the data directory and returns its
// standard output.
func (w *World) cli(args ...string) ([]byte, error) {
	args = append(args, "--data", w.Data)
	cmd := exec.Command(w.Bin, args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("casebook %s: %w\n%s", redactArgs(args), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// cliJSON runs an admin command with --json and decodes its output.
func (w *World) cliJSON(out any, args ...string) error {
	b, err := w.cli(append(args, "--json")...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("casebook %s: decode --json output %q: %w", redactArgs(args), b, err)
	}
	return nil
}

// redactArgs hides password values in error messages.
func redactArgs(args []string) string {
	out := append([]string(nil), args...)
	for i := range out {
		if i > 0 && out[i-1] == "--password" {
			out[i] = "***"
		}
	}
	return strings.Join(out, " ")
}

func (w *World) createData() error {
	var err error
	if w.Acme, w.AcmeAdmin, err = w.createAccount("acme"); err != nil {
		return err
	}
	if w.Globex, w.GlobexAdmin, err = w.createAccount("globex"); err != nil {
		return err
	}
	for _, u := range []struct {
		c       **Customer
		account Account
		name    string
	}{
		{&w.Alice, w.Acme, "alice"},
		{&w.Bob, w.Acme, "bob"},
		{&w.Carol, w.Acme, "carol"},
		{&w.Pager, w.Acme, "pager"},
		{&w.Dave, w.Globex, "dave"},
	} {
		if *u.c, err = w.createUser(u.account, u.name); err != nil {
			return err
		}
	}
	for _, g := range []struct {
		g       *Group
		account Account
		name    string
		members []string
	}{
		{&w.Team, w.Acme, "team", []string{"alice", "bob"}},
		{&w.Side, w.Acme, "side", []string{"alice", "carol"}},
		{&w.Crew, w.Globex, "crew", []string{"dave"}},
	} {
		if *g.g, err = w.createGroup(g.account, g.name, g.members...); err != nil {
			return err
		}
	}
	spare := *w.Alice
	w.AliceSpare = &spare
	if spare.AccessKey, spare.Secret, err = w.createAccessKey(w.Acme, "alice"); err != nil {
		return err
	}

	w.Engineer = &Engineer{Name: "eve", Password: "Eng1neer-Pass-" + randomHex(4)}
	var e struct {
		ID string `json:"engineer_id"`
	}
	if err := w.cliJSON(&e, "engineer", "create", "--name", w.Engineer.Name, "--password", w.Engineer.Password); err != nil {
		return err
	}
	w.Engineer.ID = e.ID
	noteSecret(w.Engineer.Password)
	return nil
}

func (w *World) createAccount(name string) (Account, *Customer, error) {
	password := "Admin-Pass-" + randomHex(6)
	var out struct {
		AccountID      string `json:"account_id"`
		AccountName    string `json:"account_name"`
		MasterUserID   string `json:"master_user_id"`
		MasterUserName string `json:"master_user_name"`
	}
	if err := w.cliJSON(&out, "account", "create", "--name", name, "--password", password); err != nil {
		return Account{}, nil, err
	}
	if out.AccountID == "" || out.MasterUserID == "" || out.AccountName != name {
		return Account{}, nil, fmt.Errorf("account create --json: unexpected output %+v", out)
	}
	noteSecret(password)
	acc := Account{ID: out.AccountID, Name: name}
	master := &Customer{Account: acc, Name: out.MasterUserName, Password: password, UserID: out.MasterUserID}
	var err error
	if master.AccessKey, master.Secret, err = w.createAccessKey(acc, out.MasterUserName); err != nil {
		return Account{}, nil, err
	}
	return acc, master, nil
}

func (w *World) createUser(acc Account, name string) (*Customer, error) {
	password := "User-Pass-" + randomHex(6)
	var out struct {
		UserID string `json:"user_id"`
	}
	if err := w.cliJSON(&out, "user", "create", "--account", acc.Name, "--name", name, "--password", password); err != nil {
		return nil, err
	}
	if out.UserID == "" {
		return nil, fmt.Errorf("user create --json printed no user_id")
	}
	noteSecret(password)
	c := &Customer{Account: acc, Name: name, Password: password, UserID: out.UserID}
	var err error
	if c.AccessKey, c.Secret, err = w.createAccessKey(acc, name); err != nil {
		return nil, err
	}
	return c, nil
}

func (w *World) createGroup(acc Account, name string, members ...string) (Group, error) {
	var out struct {
		GroupID string `json:"group_id"`
	}
	if err := w.cliJSON(&out, "group", "create", "--account", acc.Name, "--name", name); err != nil {
		return Group{}, err
	}
	if out.GroupID == "" {
		return Group{}, fmt.Errorf("group create --json printed no group_id")
	}
	for _, m := range members {
		if _, err := w.cli("group", "add-member", "--account", acc.Name, "--group", name, "--user", m); err != nil {
			return Group{}, err
		}
	}
	return Group{ID: out.GroupID, Name: name}, nil
}

func (w *World) createAccessKey(acc Account, user string) (ak, sk string, err error) {
	var out struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	if err := w.cliJSON(&out, "accesskey", "create", "--account", acc.Name, "--user", user); err != nil {
		return "", "", err
	}
	if out.AccessKey == "" || out.SecretKey == "" {
		return "", "", fmt.Errorf("accesskey create --json printed no access_key/secret_key")
	}
	noteSecret(out.SecretKey)
	return out.AccessKey, out.SecretKey, nil
}

// newClient builds an OSM client the documented way: AK/SK, the account id
// as domain id, and Casebook's base URL as endpoint.
func newClient(baseURL, ak, sk, domainID string) (*osm.OsmClient, error) {
	creds, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(domainID).SafeBuild()
	if err != nil {
		return nil, err
	}
	hc, err := osm.OsmClientBuilder().
		WithEndpoints([]string{baseURL}).
		WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(30 * time.Second)).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	return osm.NewOsmClient(hc), nil
}

// server is a running `casebook serve`.
type server struct {
	cmd     *exec.Cmd
	logPath string
	baseURL string
	exited  chan struct{}
	waitErr error
	stopped bool
}

func startServer(bin, data, logPath string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// --principal-cache 0s: tests change keys and users with the CLI, as
	// another replica would, and expect the effect at once (with the
	// cache, within its TTL).
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr,
		"--attachment-max-mb", fmt.Sprint(attachmentMaxMB), "--log-level", "debug", "--principal-cache", "0s")
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start casebook serve: %w", err)
	}
	s := &server{cmd: cmd, logPath: logPath, baseURL: "http://" + addr, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-s.exited:
			return s, fmt.Errorf("casebook serve exited before it was ready: %v", s.waitErr)
		default:
		}
		resp, err := http.Get(s.baseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("casebook serve not healthy on %s after 30s (last error: %v)", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	select {
	case <-s.exited:
		return fmt.Errorf("it had already exited: %v", s.waitErr)
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		return s.waitErr
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		return errors.New("still running 40s after SIGTERM; killed")
	}
}

func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return ""
	}
	const max = 8000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return "--- end of the casebook serve log ---\n" + string(b)
}

// secretsInLog returns the log lines that contain a secret the tests used.
func (s *server) secretsInLog() []string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil
	}
	var leaks []string
	for _, line := range strings.Split(string(b), "\n") {
		for _, secret := range allSecrets() {
			if strings.Contains(line, secret) {
				leaks = append(leaks, strings.ReplaceAll(line, secret, "<secret>"))
			}
		}
	}
	return leaks
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Secrets the tests hand to the server, checked against its log at the end.
var (
	secretsMu sync.Mutex
	secrets   []string
)

func noteSecret(s string) {
	if len(s) < 8 {
		return // too short to search for without false alarms
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	secrets = append(secrets, s)
}

func allSecrets() []string {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	return append([]string(nil), secrets...)
}

// ctx returns a context for raw HTTP calls of a test.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
