package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/console"
	casebookhttp "github.com/casebook/casebook/http"
	"github.com/casebook/casebook/sqlite"
)

// chromiumPath returns the browser to drive, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CASEBOOK_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CASEBOOK_TEST_BROWSER_REQUIRED") == "1" {
			t.Fatalf("chromium not found at %s and CASEBOOK_TEST_BROWSER_REQUIRED=1", path)
		}
		t.Skipf("chromium not found at %s (apt-get install -y chromium, or set CASEBOOK_TEST_CHROMIUM); skipping the browser tests", path)
	}
	return path
}

// server runs the whole HTTP surface (API and console) on a real SQLite
// store and blob directory.
type server struct {
	Svc *casebook.Service
	URL string
}

func newServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	master := bytes.Repeat([]byte{5}, 32)
	sealer, err := auth.NewSealer(auth.DeriveKey(master, auth.PurposeSeal))
	if err != nil {
		t.Fatal(err)
	}
	svc := casebook.NewService(db, blobs, sealer, casebook.DefaultConfig())
	svc.Now = time.Now
	svc.Config.PasswordIterations = 1000
	ui, err := console.New(svc, auth.DeriveKey(master, console.KeyPurpose), nil)
	if err != nil {
		t.Fatal(err)
	}
	api := &casebookhttp.Server{
		Service: svc,
		Tokens:  &auth.Tokens{Key: auth.DeriveKey(master, auth.PurposeToken)},
		Links:   &auth.Links{Key: auth.DeriveKey(master, auth.PurposeDownloadLink)},
		Console: ui,
		Logger:  slog.New(slog.DiscardHandler),
	}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &server{Svc: svc, URL: srv.URL}
}

// newBrowser starts headless Chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// person is one user in their own browser context (own cookies), in the
// Asia/Shanghai time zone.
type person struct {
	t       *testing.T
	ctx     context.Context
	base    string
	name    string
	mu      sync.Mutex
	dialogs []string // JavaScript dialogs the pages opened (there must be none)
}

func (s *server) person(t *testing.T, browser context.Context, name string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &person{t: t, ctx: ctx, base: s.URL, name: name}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.dialogs = append(p.dialogs, ev.Message)
			p.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	// The time zone console.js would report; set up front so that the
	// script's one-time reload does not race the test's typing.
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "casebook_tz", Value: "Asia%2FShanghai", URL: s.URL}); err != nil {
		t.Fatal(err)
	}
	return p
}

// step runs actions with a bound on their time.
func (p *person) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v\npage: %s", p.name, what, err, p.text("body"))
	}
}

// open loads a page and waits for its main element.
func (p *person) open(path string) {
	p.t.Helper()
	p.step("open "+path, chromedp.Navigate(p.base+path), chromedp.WaitVisible(chromedp.CSS("#main")))
}

// text returns the text of the first element sel matches.
func (p *person) text(sel string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		return fmt.Sprintf("(no %s: %v)", sel, err)
	}
	return s
}

// waitText waits until the element sel contains want.
func (p *person) waitText(sel, want string) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := p.text(sel)
		if strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s does not contain %q: %q\npage: %s", p.name, sel, want, got, p.text("body"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot saves a screenshot of the page when CASEBOOK_SCREENSHOTS is set.
func (p *person) shot(name string) {
	p.t.Helper()
	dir := os.Getenv("CASEBOOK_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *person) noDialogs() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.dialogs) > 0 {
		p.t.Fatalf("%s: a page opened JavaScript dialogs: %q", p.name, p.dialogs)
	}
}

func (p *person) loginCustomer(account, user, password string) {
	p.t.Helper()
	p.open("/login")
	p.step("log in",
		chromedp.SendKeys(chromedp.ID("account"), account),
		chromedp.SendKeys(chromedp.ID("user"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-ticket")),
	)
}

func (p *person) loginEngineer(name, password string) {
	p.t.Helper()
	p.open("/engineer/login")
	p.step("log in",
		chromedp.SendKeys(chromedp.ID("user"), name),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".tabs")),
	)
}

const (
	alicePassword   = "Alice-pass-123"
	evePassword     = "Eve-pass-12345"
	malloryPassword = "Mallory-pass-1"
	grantPassword   = "Gr4nt-Pa55word!"
)

// TestConsoleAccessFlow is the flow of issue 10 in a real browser: a
// customer opens a ticket with an attachment, an engineer takes it and
// requests access, the customer confirms with a password, the engineer
// reveals it, the customer sees that read in the ticket's history and
// revokes the grant, and the engineer's next reveal is refused.
func TestConsoleAccessFlow(t *testing.T) {
	browser := newBrowser(t)
	s := newServer(t)
	ctx := context.Background()
	if _, _, err := s.Svc.CreateAccount(ctx, "acme", "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Svc.CreateAccount(ctx, "globex", "mallory", malloryPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Svc.CreateEngineer(ctx, "eve", evePassword); err != nil {
		t.Fatal(err)
	}
	alice := s.person(t, browser, "alice")
	eve := s.person(t, browser, "eve")

	// The customer opens a ticket with an attachment.
	alice.open("/login")
	alice.shot("login")
	alice.loginCustomer("acme", "alice", alicePassword)
	logFile := filepath.Join(t.TempDir(), "nginx-error.log")
	if err := os.WriteFile(logFile, []byte("upstream timed out (110: Connection timed out)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	alice.open("/tickets/new")
	alice.step("fill the ticket form",
		chromedp.SetValue(chromedp.ID("business_type"), "2"),
		chromedp.SetValue(chromedp.ID("incident_type"), "4"),
		chromedp.SendKeys(chromedp.ID("region"), "cn-north-4"),
		chromedp.SendKeys(chromedp.ID("description"), "Our web servers answer 502 since the nginx upgrade. Log attached."),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{logFile}),
	)
	alice.shot("new-ticket")
	alice.step("submit the ticket", chromedp.Click(chromedp.ID("ticket-submit")), chromedp.WaitVisible(chromedp.ID("ticket-id")))
	caseID := strings.TrimSpace(alice.text("#ticket-id"))
	if !strings.HasPrefix(caseID, "CS") {
		t.Fatalf("ticket id %q", caseID)
	}
	alice.waitText("#conversation", "nginx-error.log")

	// The engineer takes it from the unassigned queue and asks for access.
	eve.loginEngineer("eve", evePassword)
	eve.waitText("#queue", caseID)
	eve.shot("engineer-queue")
	eve.step("open the ticket", chromedp.Click(chromedp.CSS(`a[href="/engineer/tickets/`+caseID+`"]`)), chromedp.WaitVisible(chromedp.ID("take")))
	eve.step("take it", chromedp.Click(chromedp.ID("take")), chromedp.WaitVisible(chromedp.ID("request-form")))
	eve.waitText("#ticket-engineer", "eve")
	eve.step("request access",
		chromedp.SetValue(chromedp.ID("resource_type"), "1"),
		chromedp.SetValue(chromedp.ID("visit_type"), "1"),
		chromedp.SetValue(chromedp.ID("content_type"), "1"),
		chromedp.SendKeys(chromedp.ID("describe"), "SSH to web-01 to check the upstream configuration."),
		chromedp.SendKeys(chromedp.ID("d0-name"), "web-01"),
		chromedp.SendKeys(chromedp.ID("d0-id"), "i-0a1b2c3d"),
		chromedp.SendKeys(chromedp.ID("d0-port"), "22"),
		chromedp.SendKeys(chromedp.ID("d0-account"), "root"),
	)
	eve.shot("engineer-ticket")
	eve.step("send the request", chromedp.Click(chromedp.ID("request-submit")), chromedp.WaitVisible(chromedp.ID("auth-id")))
	authID := strings.TrimSpace(eve.text("#auth-id"))
	eve.waitText("#not-in-force", "not in force")

	// The customer confirms with a password.
	alice.open("/authorizations")
	alice.waitText("#authorizations", authID)
	alice.shot("authorizations")
	alice.open("/authorizations/" + authID)
	alice.step("review", chromedp.Click(chromedp.ID("confirm-link")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	alice.waitText("#confirm-form", "7d")
	alice.step("fill the password", chromedp.SendKeys(chromedp.CSS(`#confirm-form input[type=password]`), grantPassword))
	alice.shot("confirm")
	alice.step("grant", chromedp.Click(chromedp.ID("confirm-submit")), chromedp.WaitVisible(chromedp.ID("revoke")))
	alice.waitText("#auth-status", "Authorized")
	if body := alice.text("body"); strings.Contains(body, grantPassword) {
		t.Fatal("the password is shown back to the customer")
	}

	// The engineer reveals it.
	eve.open("/engineer/authorizations/" + authID)
	eve.step("reveal", chromedp.Click(chromedp.ID("reveal")), chromedp.WaitVisible(chromedp.ID("credentials")))
	eve.waitText("#credentials", grantPassword)
	eve.shot("reveal")

	// The customer sees the read in the ticket's history, and revokes.
	alice.open("/tickets/" + caseID)
	history := alice.waitText("#history", "Read the authorization's credentials")
	if !strings.Contains(history, "eve") || !strings.Contains(history, authID) {
		t.Fatalf("history: %q", history)
	}
	alice.shot("ticket")
	eve.open("/engineer/authorizations/" + authID) // a page with the reveal button, before the revocation
	alice.open("/authorizations/" + authID)
	alice.step("revoke", chromedp.Click(chromedp.ID("revoke")), chromedp.WaitNotPresent(chromedp.ID("revoke")))
	alice.waitText("#auth-status", "Revoked")

	// The engineer's next reveal, from the page still open, is refused.
	eve.step("reveal again", chromedp.Click(chromedp.ID("reveal")), chromedp.WaitVisible(chromedp.ID("error")))
	if msg := eve.text("#error"); !strings.Contains(msg, "not in force") || strings.Contains(msg, grantPassword) {
		t.Fatalf("refused reveal: %q", msg)
	}
	eve.open("/engineer/audit")
	eve.waitText("#audit", "Credentials read")

	// Another account's ticket id in the URL is "not found".
	mallory := s.person(t, browser, "mallory")
	mallory.loginCustomer("globex", "mallory", malloryPassword)
	mallory.open("/tickets/" + caseID)
	mallory.waitText("#error", "Not found")
	if body := mallory.text("body"); strings.Contains(body, "nginx") {
		t.Fatal("the other account's ticket leaks")
	}

	// The language switch: the same pages in Chinese.
	alice.open("/tickets")
	alice.step("switch to Chinese", chromedp.Click(chromedp.CSS(`button[name=lang]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"]`)))
	alice.waitText("h1", "我的工单")
	alice.shot("tickets-zh")

	for _, p := range []*person{alice, eve, mallory} {
		p.noDialogs()
	}
}

// TestConsoleSafety: a <script> in a ticket is text, a form without its
// CSRF token is refused, and the pages fit a 375-pixel phone screen.
func TestConsoleSafety(t *testing.T) {
	browser := newBrowser(t)
	s := newServer(t)
	if _, _, err := s.Svc.CreateAccount(context.Background(), "acme", "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	alice := s.person(t, browser, "alice")
	alice.loginCustomer("acme", "alice", alicePassword)

	evil := `<script>alert("pwned")</script><img src=x onerror=alert(2)>`
	alice.open("/tickets/new")
	alice.step("write a hostile ticket",
		chromedp.SendKeys(chromedp.ID("description"), evil),
		chromedp.Click(chromedp.ID("ticket-submit")),
		chromedp.WaitVisible(chromedp.ID("ticket-id")),
	)
	alice.waitText("#conversation", evil)
	caseID := strings.TrimSpace(alice.text("#ticket-id"))
	alice.open("/tickets")
	alice.waitText("#tickets", `<script>alert("pwned")`)
	n, err := chromedp.Run(alice.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`))
	if err != nil || n != 0 {
		t.Fatalf("hostile markup became elements: %d, %v", n, err)
	}

	// CSRF: the reply form without its token is refused, and nothing is added.
	alice.open("/tickets/" + caseID)
	if _, err := chromedp.Run(alice.ctx, chromedp.Evaluate[string](`document.querySelector("#reply-form input[name=csrf]").value = ""`)); err != nil {
		t.Fatal(err)
	}
	alice.step("send without the token",
		chromedp.SendKeys(chromedp.ID("content"), "forged message"),
		chromedp.Click(chromedp.ID("reply-submit")),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	alice.open("/tickets/" + caseID)
	if strings.Contains(alice.text("#conversation"), "forged message") {
		t.Fatal("a form without its CSRF token was accepted")
	}

	// A phone: nothing wider than the screen.
	alice.step("phone screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, path := range []string{"/tickets", "/tickets/" + caseID, "/tickets/new", "/authorizations"} {
		alice.open(path)
		w, err := chromedp.Run(alice.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > 375 {
			t.Errorf("%s is %d pixels wide on a 375-pixel screen", path, w)
		}
	}
	alice.open("/tickets/" + caseID)
	alice.shot("ticket-phone")
	alice.noDialogs()
}
