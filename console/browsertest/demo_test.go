package browsertest

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDemoWalkthrough is what the issue calls done: build the binary, run
// `casebook demo`, then `casebook serve`, open the printed URL and do the
// flow with the demo's logins, in a browser.
func TestDemoWalkthrough(t *testing.T) {
	chromiumPath(t)
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "casebook")
	build := exec.Command("go", "build", "-o", bin, "./cmd/casebook")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data := filepath.Join(dir, "data")

	demo := exec.Command(bin, "demo", "--data", data, "--addr", addr, "--alice-password", alicePassword, "--eve-password", evePassword)
	out, err := demo.CombinedOutput()
	if err != nil {
		t.Fatalf("casebook demo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Open the web console in a browser: (\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("demo does not print the console URL:\n%s", out)
	}
	consoleURL := strings.TrimSuffix(string(m[1]), "/")

	serve := exec.Command(bin, "serve", "--data", data, "--addr", addr)
	stderr, _ := serve.StderrPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Signal(os.Interrupt); serve.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("casebook serve did not start")
	}

	browser := newBrowser(t)
	s := &server{URL: consoleURL}
	alice := s.person(t, browser, "alice")
	eve := s.person(t, browser, "eve")

	// alice: bob's ticket waits for her answer through group "ops".
	alice.loginCustomer("demo", "alice", alicePassword)
	alice.open("/authorizations")
	alice.step("switch to group ops",
		chromedp.SetValue(chromedp.ID("group"), groupValue(t, alice, "ops")),
		chromedp.Click(chromedp.CSS(`#group-form button`)),
		chromedp.WaitVisible(chromedp.ID("authorizations")),
	)
	alice.waitText("#authorizations", "Pending")
	alice.step("open the pending request", chromedp.Click(chromedp.CSS(`#authorizations tr:has(.status-0) a`)), chromedp.WaitVisible(chromedp.ID("confirm-link")))
	authID := strings.TrimSpace(alice.text("#auth-id"))
	alice.step("review", chromedp.Click(chromedp.ID("confirm-link")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	alice.step("grant with a password",
		chromedp.SendKeys(chromedp.CSS(`#confirm-form input[type=password]`), grantPassword),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("revoke")),
	)

	// eve reveals it.
	eve.loginEngineer("eve", evePassword)
	eve.open("/engineer/authorizations/" + authID)
	eve.step("reveal", chromedp.Click(chromedp.ID("reveal")), chromedp.WaitVisible(chromedp.ID("credentials")))
	eve.waitText("#credentials", grantPassword)

	// alice sees the read in the ticket's history, and revokes.
	alice.open("/authorizations/" + authID)
	caseID := regexp.MustCompile(`CS[0-9A-Z]{20}`).FindString(alice.text("#auth-facts"))
	alice.open("/tickets/" + caseID)
	alice.waitText("#history", "Read the authorization's credentials")
	eve.open("/engineer/authorizations/" + authID)
	alice.open("/authorizations/" + authID)
	alice.step("revoke", chromedp.Click(chromedp.ID("revoke")), chromedp.WaitNotPresent(chromedp.ID("revoke")))
	eve.step("reveal again", chromedp.Click(chromedp.ID("reveal")), chromedp.WaitVisible(chromedp.ID("error")))
	eve.waitText("#error", "not in force")
}

// groupValue returns the id of the group option named name.
func groupValue(t *testing.T, p *person, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#group option")).find(o => o.textContent.trim() === "`+name+`").value`))
	if err != nil {
		t.Fatalf("group %s: %v", name, err)
	}
	return v
}
