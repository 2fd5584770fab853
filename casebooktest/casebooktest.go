// Package casebooktest runs a Casebook inside a Go test: a real server
// (SQLite and attachments in a temporary directory, HTTP on a random
// loopback port) with an account, users, AK/SK pairs, tokens and a support
// engineer, ready for the official Huawei Cloud SDK. It is closed when the
// test ends.
//
//	func TestMyTicketBot(t *testing.T) {
//		cb := casebooktest.Start(t, casebooktest.Options{})
//		alice := cb.User("alice")
//		creds, _ := global.NewCredentialsBuilder().
//			WithAk(alice.AccessKey).WithSk(alice.SecretKey).WithDomainId(cb.Account.ID).SafeBuild()
//		hc, _ := osm.OsmClientBuilder().WithEndpoints([]string{cb.URL}).WithCredential(creds).SafeBuild()
//		client := osm.NewOsmClient(hc)
//		...
//	}
//
// The complete example is sdktest/casebooktest_example_test.go.
package casebooktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	casebookhttp "github.com/casebook/casebook/http"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/testcontrol"
)

// Options configure Start. The zero value gives account "acme" with master
// user "admin" and sub-users "alice" and "bob" in group "team", and
// engineer "engineer".
type Options struct {
	// AccountName names the account; default "acme".
	AccountName string
	// Users names the sub-users, each with an AK/SK pair and a token, all
	// in one group named "team"; default alice and bob.
	Users []string
	// TestControls enables the clock and reset controls: Server.Advance,
	// Server.Reset and their HTTP endpoints under /testing/v1/.
	TestControls bool
	// Logs receives the server's log; default: discarded.
	Logs io.Writer
}

// Server is a Casebook running in the test process.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT: the SDK's endpoint.
	URL      string
	Account  Account
	Master   *User // the account's master user, "admin": sees every ticket
	Users    []*User
	Group    Group
	Engineer *Engineer
	// Service is the domain service under the server, for setting up
	// state the API cannot reach (engineers' actions are also on the
	// support API at URL + "/support/v1").
	Service *casebook.Service

	controls *testcontrol.Controls
}

// Account is the customer account (an IAM domain): the SDK's domain id is
// its ID.
type Account struct {
	ID, Name string
}

// Group is the user group of the sub-users.
type Group struct {
	ID, Name string
}

// User is a customer user with a password, an AK/SK pair and a token
// (X-Auth-Token) issued at start, valid for 24 hours of the server's clock.
type User struct {
	ID, Name, Password   string
	AccessKey, SecretKey string
	Token                string
}

// Engineer is a support engineer with a token for the support API.
type Engineer struct {
	ID, Name, Password, Token string
}

// Start starts a Casebook for t and stops it (and removes its data) with
// t.Cleanup. It fails the test if the server cannot start.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := start(t, opts)
	if err != nil {
		t.Fatalf("casebooktest: %v", err)
	}
	return s
}

func start(t testing.TB, opts Options) (*Server, error) {
	if opts.AccountName == "" {
		opts.AccountName = "acme"
	}
	if opts.Users == nil {
		opts.Users = []string{"alice", "bob"}
	}
	logs := opts.Logs
	if logs == nil {
		logs = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	ctx := context.Background()
	dir := t.TempDir()

	db, err := sqlite.Open(ctx, filepath.Join(dir, "casebook.db"))
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, err
	}
	master := make([]byte, auth.KeySize)
	rand.Read(master)
	sealer, err := auth.NewSealer(auth.DeriveKey(master, auth.PurposeSeal))
	if err != nil {
		return nil, err
	}
	clock := &testcontrol.Clock{}
	svc := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	svc.Logger, svc.Now = logger, clock.Now
	// Password hashing at production strength costs a third of a second
	// per login; a test server stores no real passwords.
	svc.Config.PasswordIterations = 1000

	api := &casebookhttp.Server{
		Service:       svc,
		Tokens:        &auth.Tokens{Key: auth.DeriveKey(master, auth.PurposeToken)},
		Links:         &auth.Links{Key: auth.DeriveKey(master, auth.PurposeDownloadLink), TTL: 10 * time.Minute},
		TemporaryKeys: &auth.TemporaryKeys{Key: auth.DeriveKey(master, auth.PurposeSecurityToken)},
		Logger:        logger,
		Now:           clock.Now,
		ClientClock:   time.Now, // SDKs sign with the real time
		// Nothing cached: a test that disables a user sees it at once.
		PrincipalCacheTTL: time.Nanosecond,
	}
	mux := http.NewServeMux()
	mux.Handle("/", api.Handler())
	s := &Server{Service: svc}
	if opts.TestControls {
		s.controls = &testcontrol.Controls{DB: db.DB, Blobs: blobs, Clock: clock, Logger: logger,
			Sweep: func(ctx context.Context) error { _, err := svc.ExpireGrants(ctx); return err }}
		s.controls.Register(mux)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	// The expiry sweeper, as serve runs it.
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		for {
			svc.ExpireGrants(sweepCtx)
			select {
			case <-sweepCtx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
	// Registered after the database's, so it runs first.
	t.Cleanup(func() {
		shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		hs.Shutdown(shutdownCtx)
		stopSweep()
		<-swept
	})
	s.URL = "http://" + ln.Addr().String()

	if err := s.seed(ctx, opts); err != nil {
		return nil, err
	}
	return s, nil
}

// seed creates the account, users, group, keys, engineer and tokens.
func (s *Server) seed(ctx context.Context, opts Options) error {
	svc := s.Service
	masterPassword := newPassword()
	acc, master, err := svc.CreateAccount(ctx, opts.AccountName, "admin", masterPassword)
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	s.Account = Account{ID: acc.ID, Name: acc.Name}
	s.Master = &User{ID: master.ID, Name: master.Name, Password: masterPassword}
	users := []*User{s.Master}
	if len(opts.Users) > 0 {
		g, err := svc.CreateGroup(ctx, acc.Name, "team")
		if err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		s.Group = Group{ID: g.ID, Name: g.Name}
	}
	for _, name := range opts.Users {
		pw := newPassword()
		u, err := svc.CreateUser(ctx, acc.Name, name, pw)
		if err != nil {
			return fmt.Errorf("create user %s: %w", name, err)
		}
		if err := svc.AddGroupMember(ctx, acc.Name, s.Group.ID, name); err != nil {
			return fmt.Errorf("add %s to the group: %w", name, err)
		}
		cu := &User{ID: u.ID, Name: u.Name, Password: pw}
		s.Users = append(s.Users, cu)
		users = append(users, cu)
	}
	for _, u := range users {
		key, sk, err := svc.CreateAccessKey(ctx, u.ID, "casebooktest")
		if err != nil {
			return fmt.Errorf("create access key: %w", err)
		}
		u.AccessKey, u.SecretKey = key.ID, sk
		if u.Token, err = s.login("/v3/auth/tokens", acc.Name, u.Name, u.Password); err != nil {
			return err
		}
	}

	pw := newPassword()
	e, err := svc.CreateEngineer(ctx, "engineer", pw)
	if err != nil {
		return fmt.Errorf("create engineer: %w", err)
	}
	s.Engineer = &Engineer{ID: e.ID, Name: e.Name, Password: pw}
	if s.Engineer.Token, err = s.login("/support/v1/auth/tokens", "", e.Name, pw); err != nil {
		return err
	}
	return nil
}

// login issues a token through the API, as a client would.
func (s *Server) login(path, domain, user, password string) (string, error) {
	u := map[string]any{"name": user, "password": password}
	if domain != "" {
		u["domain"] = map[string]string{"name": domain}
	}
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": u}},
	}})
	res, err := http.Post(s.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("log %s in: %w", user, err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	tok := res.Header.Get("X-Subject-Token")
	if res.StatusCode != http.StatusCreated || tok == "" {
		return "", fmt.Errorf("log %s in: status %d", user, res.StatusCode)
	}
	return tok, nil
}

// User returns the user named name (the master user is "admin"), or nil.
func (s *Server) User(name string) *User {
	if s.Master != nil && s.Master.Name == name {
		return s.Master
	}
	for _, u := range s.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// ErrNoTestControls is returned by Advance and Reset on a server started
// without Options.TestControls.
var ErrNoTestControls = errors.New("casebooktest: test controls are off (Options.TestControls)")

// Advance moves the server's clock forward by d (tokens, grants' windows,
// links, signatures all see it) and ends the grants whose window has
// ended. It is also POST URL/testing/v1/clock {"advance": "48h"}.
func (s *Server) Advance(d time.Duration) error {
	if s.controls == nil {
		return ErrNoTestControls
	}
	return s.controls.Advance(context.Background(), d)
}

// Reset deletes everything, including the account, users and engineer
// Start created, and sets the clock back. It is also POST
// URL/testing/v1/reset.
func (s *Server) Reset() error {
	if s.controls == nil {
		return ErrNoTestControls
	}
	return s.controls.Reset(context.Background())
}

// newPassword returns a random password that passes any password policy
// (letters of both cases, digits, a symbol, 30 characters).
func newPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "Cb-" + hex.EncodeToString(b) + "!Aa1"
}
