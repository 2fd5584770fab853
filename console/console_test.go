package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/console"
)

const (
	alicePassword = "Alice-pass-123"
	evePassword   = "Eve-pass-12345"
)

func TestLoginAndLogout(t *testing.T) {
	e := newTestEnv(t)
	e.customer("acme", "alice", alicePassword)
	b := e.browser()

	if res := b.get("/tickets"); res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("tickets without a session: %d %s", res.Status, res.Location)
	}
	b.get("/login")
	res := b.post("/login", url.Values{"account": {"acme"}, "user": {"alice"}, "password": {"Wrong-pass-999"}})
	wantStatus(t, "wrong password", res, http.StatusUnauthorized)
	if !strings.Contains(res.Body, "Incorrect account name") || strings.Contains(res.Body, "Wrong-pass-999") {
		t.Fatalf("failed login page: wants the message and never the password:\n%s", res.Body)
	}
	if !strings.Contains(res.Body, `value="alice"`) {
		t.Fatalf("failed login should keep the user name")
	}

	res = b.post("/login", url.Values{"account": {"acme"}, "user": {"alice"}, "password": {alicePassword}})
	if res.Status != http.StatusSeeOther || res.Location != "/tickets" {
		t.Fatalf("login: %d %s", res.Status, res.Location)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == "casebook_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie must be HttpOnly and SameSite=Strict: %+v", session)
	}
	res = b.get("/tickets")
	wantStatus(t, "tickets", res, http.StatusOK)
	if !strings.Contains(res.Body, "alice") {
		t.Fatal("the page does not name the user")
	}

	wantStatus(t, "logout", b.post("/logout", url.Values{}), http.StatusSeeOther)
	if res := b.get("/tickets"); res.Status != http.StatusSeeOther {
		t.Fatalf("tickets after logout: %d", res.Status)
	}
}

func TestLoginRefusedWithoutCSRF(t *testing.T) {
	e := newTestEnv(t)
	e.customer("acme", "alice", alicePassword)
	b := e.browser()
	b.get("/login")
	res := b.post("/login", url.Values{"csrf": {""}, "account": {"acme"}, "user": {"alice"}, "password": {alicePassword}})
	wantStatus(t, "login without csrf", res, http.StatusForbidden)
	if res := b.get("/tickets"); res.Status != http.StatusSeeOther {
		t.Fatal("a login without the CSRF token must not start a session")
	}
}

func TestCookiesSecureOverTLS(t *testing.T) {
	e := newTestEnv(t)
	cookies := func(res *http.Response) []*http.Cookie {
		t.Helper()
		res.Body.Close()
		if len(res.Cookies()) == 0 {
			t.Fatal("no cookies set")
		}
		return res.Cookies()
	}
	plain, err := http.Get(e.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies(plain) {
		if c.Secure {
			t.Fatalf("cookie %s is Secure on plain HTTP", c.Name)
		}
	}
	tlsSrv := httptest.NewTLSServer(e.H)
	defer tlsSrv.Close()
	res, err := tlsSrv.Client().Get(tlsSrv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies(res) {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookie over TLS: %+v", c)
		}
	}
}

// createCase opens a ticket for p through the Service.
func createCase(t *testing.T, e *testEnv, p *casebook.Principal, description string) *casebook.Case {
	t.Helper()
	c, err := e.Svc.CreateCase(context.Background(), p, casebook.CaseInput{BusinessTypeID: "1", SeverityID: "3", SimpleDescription: description})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCSRFRefusedWithoutToken(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	c := createCase(t, e, alice, "Disk full")
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	b.get("/tickets/" + c.ID)

	for name, form := range map[string]url.Values{
		"no token":    {"csrf": {""}, "content": {"hello"}},
		"wrong token": {"csrf": {"AAAA" + b.csrf[4:]}, "content": {"hello"}},
	} {
		res := b.post("/tickets/"+c.ID+"/messages", form)
		wantStatus(t, name, res, http.StatusForbidden)
	}
	// A browser's word that the form came from another site is enough.
	req, _ := http.NewRequest("POST", b.base+"/tickets/"+c.ID+"/messages", strings.NewReader(url.Values{"csrf": {b.csrf}, "content": {"hello"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site", b.do(req), http.StatusForbidden)
	req, _ = http.NewRequest("POST", b.base+"/tickets/"+c.ID+"/messages", strings.NewReader(url.Values{"csrf": {b.csrf}, "content": {"hello"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	wantStatus(t, "foreign origin", b.do(req), http.StatusForbidden)

	d, err := e.Svc.GetCase(context.Background(), alice, "", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Messages) != 1 {
		t.Fatalf("a refused form changed the ticket: %d messages", len(d.Messages))
	}
	// With the token, the same form works.
	wantStatus(t, "with token", b.post("/tickets/"+c.ID+"/messages", url.Values{"content": {"hello"}}), http.StatusSeeOther)
	if d, _ = e.Svc.GetCase(context.Background(), alice, "", c.ID); len(d.Messages) != 2 {
		t.Fatalf("messages = %d, want 2", len(d.Messages))
	}
}

func TestOtherAccountIDsAreNotFound(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	e.customer("globex", "mallory", "Mallory-pass-1")
	eve := e.engineer("eve", evePassword)
	c := createCase(t, e, alice, "Secret outage of acme")
	a, err := e.Svc.RequestAuthorization(context.Background(), eve, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1", Describe: "ssh",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web-01", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}

	m := e.browser()
	m.loginCustomer("globex", "mallory", "Mallory-pass-1")
	missing := m.get("/tickets/CS20260101AAAAAAAAAAAA")
	wantStatus(t, "nonexistent ticket", missing, http.StatusNotFound)
	for _, path := range []string{"/tickets/" + c.ID, "/authorizations/" + a.ID, "/authorizations/" + a.ID + "/confirm"} {
		res := m.get(path)
		wantStatus(t, path, res, http.StatusNotFound)
		if strings.Contains(res.Body, "Secret outage") || strings.Contains(res.Body, c.ID) && !strings.Contains(missing.Body, "CS2026") {
			t.Fatalf("%s leaks the other account's data", path)
		}
		if stripIDs(res.Body) != stripIDs(missing.Body) {
			t.Fatalf("%s does not answer like a nonexistent id:\n%s\n---\n%s", path, res.Body, missing.Body)
		}
	}
	res := m.post("/authorizations/"+a.ID+"/reject", url.Values{"reason": {"no"}})
	wantStatus(t, "reject another account's request", res, http.StatusNotFound)

	// A customer session is not an engineer's, and the other way round.
	wantStatus(t, "customer on the queue", m.get("/engineer/queue"), http.StatusNotFound)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)
	wantStatus(t, "engineer on customer pages", eb.get("/tickets/"+c.ID), http.StatusNotFound)
}

var pathInPage = regexp.MustCompile(`value="/[^"]*"`)

// stripIDs removes what differs between two error pages only because of
// the requested path (the language switch's "back" field) and the token.
func stripIDs(s string) string {
	return csrfField.ReplaceAllString(pathInPage.ReplaceAllString(s, ""), "")
}

func TestScriptInTicketIsText(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	e.engineer("eve", evePassword)
	evil := `<script>alert("pwned")</script><img src=x onerror=alert(1)>`
	c := createCase(t, e, alice, evil)
	// A label name is the customer's own text too: on the list, the ticket
	// and the labels page.
	l, err := e.Svc.CreateLabel(context.Background(), alice, evil, "#ff0000")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.AddCaseLabels(context.Background(), alice, "", c.ID, []int64{l.ID}); err != nil {
		t.Fatal(err)
	}

	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)
	for _, res := range []response{b.get("/tickets"), b.get("/tickets/" + c.ID), b.get("/labels"), eb.get("/engineer/queue?view=all"), eb.get("/engineer/tickets/" + c.ID)} {
		wantStatus(t, "page", res, http.StatusOK)
		if strings.Contains(res.Body, "<script>alert") || strings.Contains(res.Body, "<img src=x") {
			t.Fatalf("ticket text rendered as markup:\n%s", res.Body)
		}
		if !strings.Contains(res.Body, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;") {
			t.Fatalf("ticket text not shown as text:\n%s", res.Body)
		}
	}
}

// TestPagesHaveNoInlineCode checks the headers and that no page carries
// inline script or style, which the CSP would block anyway.
func TestPagesHaveNoInlineCode(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	e.engineer("eve", evePassword)
	c := createCase(t, e, alice, "Disk full")
	l, err := e.Svc.CreateLabel(context.Background(), alice, "Urgent", "#ff0000")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.AddCaseLabels(context.Background(), alice, "", c.ID, []int64{l.ID}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)
	inline := regexp.MustCompile(`<script[^>]*>[^<]|<script>|\sstyle=|\son[a-z]+=|javascript:`)
	for _, res := range []response{
		b.get("/login"), b.get("/tickets"), b.get("/tickets/new"), b.get("/tickets/" + c.ID), b.get("/authorizations"), b.get("/labels"),
		b.get("/nope"), eb.get("/engineer/queue"), eb.get("/engineer/tickets/" + c.ID), eb.get("/engineer/authorizations"), eb.get("/engineer/audit"),
	} {
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("CSP = %q", csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatal("no nosniff")
		}
		if m := inline.FindString(res.Body); m != "" {
			t.Fatalf("inline code %q in:\n%s", m, res.Body)
		}
	}
}

func TestSessionEndsWithTheUser(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(e *testEnv) error
	}{
		{"disabled", func(e *testEnv) error { return e.Svc.SetUserEnabled(ctx, "acme", "bob", false) }},
		{"password changed", func(e *testEnv) error { return e.Svc.SetUserPassword(ctx, "acme", "bob", "Another-pass-77") }},
		{"deleted", func(e *testEnv) error { return e.Svc.DeleteUser(ctx, "acme", "bob") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.customer("acme", "alice", alicePassword)
			if _, err := e.Svc.CreateUser(ctx, "acme", "bob", "Bob-pass-1234"); err != nil {
				t.Fatal(err)
			}
			b := e.browser()
			b.loginCustomer("acme", "bob", "Bob-pass-1234")
			wantStatus(t, "before", b.get("/tickets"), http.StatusOK)
			if err := tc.change(e); err != nil {
				t.Fatal(err)
			}
			if res := b.get("/tickets"); res.Status != http.StatusSeeOther || res.Location != "/login" {
				t.Fatalf("after the change: %d %s", res.Status, res.Location)
			}
		})
	}
	t.Run("engineer disabled", func(t *testing.T) {
		e := newTestEnv(t)
		e.engineer("eve", evePassword)
		b := e.browser()
		b.loginEngineer("eve", evePassword)
		wantStatus(t, "before", b.get("/engineer/queue"), http.StatusOK)
		if err := e.Svc.SetEngineerEnabled(ctx, "eve", false); err != nil {
			t.Fatal(err)
		}
		if res := b.get("/engineer/queue"); res.Status != http.StatusSeeOther {
			t.Fatalf("after disabling: %d", res.Status)
		}
	})
}

// TestAccessFlow runs the whole flow through the pages without a browser:
// ticket with an attachment, take, request access, confirm with a password,
// reveal (audited, no-store), history, revoke, refused reveal.
func TestAccessFlow(t *testing.T) {
	e := newTestEnv(t)
	e.customer("acme", "alice", alicePassword)
	e.engineer("eve", evePassword)
	ctx := context.Background()
	cb := e.browser()
	cb.loginCustomer("acme", "alice", alicePassword)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)

	cb.get("/tickets/new")
	res := cb.postFiles("/tickets", url.Values{"business_type_id": {"2"}, "incident_sub_type_id": {"4"}, "severity_id": {"2"},
		"region_id": {"cn-north-4"}, "simple_description": {"502 errors since the upgrade"}}, map[string]string{"error.log": "upstream timed out"})
	wantStatus(t, "create ticket", res, http.StatusSeeOther)
	caseID := strings.TrimPrefix(res.Location, "/tickets/")
	page := cb.get(res.Location)
	wantStatus(t, "ticket", page, http.StatusOK)
	link := regexp.MustCompile(`href="(/attachments/[A-Z0-9]+)" download>error.log<`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no attachment link:\n%s", page.Body)
	}
	dl := cb.get(link[1])
	if dl.Status != 200 || dl.Body != "upstream timed out" || !strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %v", dl.Status, dl.Body, dl.Header)
	}

	// The engineer finds it in the unassigned queue, takes it and asks.
	q := eb.get("/engineer/queue")
	if !strings.Contains(q.Body, caseID) {
		t.Fatal("the new ticket is not in the unassigned queue")
	}
	eb.get("/engineer/tickets/" + caseID)
	wantStatus(t, "take", eb.post("/engineer/tickets/"+caseID+"/take", url.Values{}), http.StatusSeeOther)
	if c, _ := e.Svc.EngineerCase(ctx, mustEngineer(t, e), caseID); c.Case.AssigneeName != "eve" {
		t.Fatalf("assignee = %q", c.Case.AssigneeName)
	}
	eb.get("/engineer/tickets/" + caseID)
	res = eb.post("/engineer/tickets/"+caseID+"/authorizations", url.Values{
		"resource_type_id": {"1"}, "visit_type_id": {"1"}, "content_type_id": {"1"}, "describe": {"SSH to web-01"},
		"d0-type": {"1"}, "d0-name": {"web-01"}, "d0-id": {"i-123"}, "d0-region": {"cn-north-4"}, "d0-port": {"22"}, "d0-account": {"root"},
	})
	wantStatus(t, "request access", res, http.StatusSeeOther)
	authID := strings.TrimPrefix(res.Location, "/engineer/authorizations/")
	page = eb.get(res.Location)
	if !strings.Contains(page.Body, "not in force") || strings.Contains(page.Body, `id="reveal"`) {
		t.Fatal("a pending request offers a reveal")
	}

	// The customer confirms with a password.
	confirm := cb.get("/authorizations/" + authID + "/confirm")
	wantStatus(t, "confirm page", confirm, http.StatusOK)
	if !strings.Contains(confirm.Body, "7d") {
		t.Fatalf("the confirm page does not state the cap:\n%s", confirm.Body)
	}
	detail := regexp.MustCompile(`name="detail" value="(\d+)"`).FindStringSubmatch(confirm.Body)[1]
	start := regexp.MustCompile(`id="start" name="start" type="datetime-local" value="([^"]+)"`).FindStringSubmatch(confirm.Body)[1]
	const secret = "S3cret-pa55word!"
	// A window past the cap is refused, and the password is not shown back.
	st, _ := time.Parse("2006-01-02T15:04", start)
	res = cb.post("/authorizations/"+authID+"/confirm", url.Values{"detail": {detail}, "port-" + detail: {"22"}, "account-" + detail: {"root"},
		"password-" + detail: {secret}, "start": {start}, "end": {st.Add(8 * 24 * time.Hour).Format("2006-01-02T15:04")}})
	wantStatus(t, "window past the cap", res, http.StatusBadRequest)
	if strings.Contains(res.Body, secret) {
		t.Fatal("the password was rendered back")
	}
	res = cb.post("/authorizations/"+authID+"/confirm", url.Values{"detail": {detail}, "port-" + detail: {"22"}, "account-" + detail: {"root"},
		"password-" + detail: {secret}, "start": {start}, "end": {st.Add(2 * time.Hour).Format("2006-01-02T15:04")}})
	wantStatus(t, "confirm", res, http.StatusSeeOther)
	page = cb.get(res.Location)
	if !strings.Contains(page.Body, "Authorized") || strings.Contains(page.Body, secret) {
		t.Fatalf("after confirming:\n%s", page.Body)
	}

	// The engineer reveals: no-store, audited.
	page = eb.get("/engineer/authorizations/" + authID)
	if !strings.Contains(page.Body, `id="reveal"`) {
		t.Fatalf("no reveal button on a grant in force:\n%s", page.Body)
	}
	res = eb.post("/engineer/authorizations/"+authID+"/reveal", url.Values{})
	wantStatus(t, "reveal", res, http.StatusOK)
	if !strings.Contains(res.Body, secret) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: cache %q\n%s", res.Header.Get("Cache-Control"), res.Body)
	}
	if a := eb.get("/engineer/audit"); !strings.Contains(a.Body, "Credentials read") || !strings.Contains(a.Body, authID) {
		t.Fatalf("audit trail:\n%s", a.Body)
	}

	// The customer sees the read in the ticket's history, and revokes.
	page = cb.get("/tickets/" + caseID)
	if !regexp.MustCompile(`(?s)class="event-1053">.*?eve <small>\(Engineer\)</small>.*?<a href="/authorizations/` + authID + `">Read the authorization&#39;s credentials: ` + authID + `</a>`).MatchString(page.Body) {
		t.Fatalf("the history does not show the read:\n%s", page.Body)
	}
	cb.get("/authorizations/" + authID)
	wantStatus(t, "revoke", cb.post("/authorizations/"+authID+"/revoke", url.Values{}), http.StatusSeeOther)
	if page = cb.get("/authorizations/" + authID); !strings.Contains(page.Body, "Revoked") {
		t.Fatal("not revoked")
	}

	// The next reveal is refused, and leaves no secret on the page.
	eb.get("/engineer/authorizations/" + authID)
	res = eb.post("/engineer/authorizations/"+authID+"/reveal", url.Values{})
	wantStatus(t, "reveal after revoke", res, http.StatusConflict)
	if strings.Contains(res.Body, secret) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("refused reveal page")
	}
}

func mustEngineer(t *testing.T, e *testEnv) *casebook.Principal {
	t.Helper()
	p, _, err := e.Svc.LoginEngineer(context.Background(), "eve", evePassword)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCatalogsComplete checks that every text the templates use exists in
// both languages.
func TestCatalogsComplete(t *testing.T) {
	used := map[string]bool{}
	dir, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range dir {
		b, err := os.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.L\.([A-Za-z]+)`).FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys", len(used))
	}
	for _, lang := range []string{casebook.LangEnUS, casebook.LangZhCN} {
		cat := console.CatalogFor(lang)
		for k := range used {
			if cat[k] == "" {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
}

// TestGroupSwitch: a group member sees a fellow member's ticket only after
// choosing the group, and cannot choose another group.
func TestGroupSwitch(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.customer("acme", "admin", "Admin-pass-123")
	for _, u := range []string{"alice", "bob", "carol"} {
		if _, err := e.Svc.CreateUser(ctx, "acme", u, alicePassword); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := e.Svc.CreateGroup(ctx, "acme", "ops")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := e.Svc.CreateGroup(ctx, "acme", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range [][2]string{{"ops", "alice"}, {"ops", "bob"}, {"dev", "carol"}} {
		if err := e.Svc.AddGroupMember(ctx, "acme", m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	bob, _, _ := e.Svc.LoginCustomer(ctx, "acme", "bob", alicePassword)
	c := createCase(t, e, bob, "Bob's quota question")

	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	if res := b.get("/tickets"); strings.Contains(res.Body, c.ID) || !strings.Contains(res.Body, `id="group-form"`) {
		t.Fatal("alice sees bob's ticket without choosing the group, or has no group switch")
	}
	wantStatus(t, "bob's ticket without the group", b.get("/tickets/"+c.ID), http.StatusNotFound)
	wantStatus(t, "another group", b.post("/prefs/group", url.Values{"group": {dev.ID}}), http.StatusForbidden)
	wantStatus(t, "switch", b.post("/prefs/group", url.Values{"group": {ops.ID}, "back": {"/authorizations"}}), http.StatusSeeOther)
	if res := b.get("/tickets"); !strings.Contains(res.Body, c.ID) {
		t.Fatal("alice does not see bob's ticket in group ops")
	}
	wantStatus(t, "bob's ticket in the group", b.get("/tickets/"+c.ID), http.StatusOK)
}

// TestLanguageAndTimeZone: Accept-Language picks the language, the switch
// overrides it, and times are shown in the zone the browser reported.
func TestLanguageAndTimeZone(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	c := createCase(t, e, alice, "Disk full")
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)

	req, _ := http.NewRequest("GET", b.base+"/tickets", nil)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	if res := b.do(req); !strings.Contains(res.Body, `<html lang="zh-CN">`) || !strings.Contains(res.Body, "我的工单") {
		t.Fatalf("Accept-Language zh: %s", res.Body)
	}
	if res := b.get("/tickets"); !strings.Contains(res.Body, `<html lang="en">`) || !strings.Contains(res.Body, "New ticket") {
		t.Fatal("no Accept-Language: want English")
	}
	wantStatus(t, "switch", b.post("/prefs/lang", url.Values{"lang": {"zh-cn"}, "back": {"/tickets/" + c.ID}}), http.StatusSeeOther)
	if res := b.get("/tickets/" + c.ID); !strings.Contains(res.Body, "沟通记录") || !strings.Contains(res.Body, "待受理") {
		t.Fatalf("after the switch: %s", res.Body)
	}
	wantStatus(t, "unknown language", b.post("/prefs/lang", url.Values{"lang": {"fr"}}), http.StatusBadRequest)

	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "casebook_tz", Value: "Asia%2FShanghai", Path: "/"}})
	res := b.get("/tickets/" + c.ID)
	want := c.CreatedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
	if !strings.Contains(res.Body, want) || !strings.Contains(res.Body, "Asia/Shanghai") {
		t.Fatalf("times not in Asia/Shanghai (want %s):\n%s", want, res.Body)
	}
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "casebook_tz", Value: "..%2F..%2Fetc%2Fpasswd", Path: "/"}})
	if res := b.get("/tickets/" + c.ID); !strings.Contains(res.Body, c.CreatedAt.UTC().Format("2006-01-02 15:04")) {
		t.Fatal("a bad zone must fall back to UTC")
	}
}

// TestAssociations: a customer links two of their tickets and unlinks
// them; another account's ticket id is refused like a missing one.
func TestAssociations(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	mallory := e.customer("globex", "mallory", "Mallory-pass-1")
	c1, c2 := createCase(t, e, alice, "first"), createCase(t, e, alice, "second")
	foreign := createCase(t, e, mallory, "globex's")
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	b.get("/tickets/" + c1.ID)
	wantStatus(t, "associate", b.post("/tickets/"+c1.ID+"/relations", url.Values{"related_id": {c2.ID}}), http.StatusSeeOther)
	if res := b.get("/tickets/" + c1.ID); !strings.Contains(res.Body, `href="/tickets/`+c2.ID+`"`) {
		t.Fatal("association not shown")
	}
	res := b.post("/tickets/"+c1.ID+"/relations", url.Values{"related_id": {foreign.ID}})
	missing := b.post("/tickets/"+c1.ID+"/relations", url.Values{"related_id": {"CS20260101AAAAAAAAAAAA"}})
	if res.Status != missing.Status || res.Status < 400 || strings.Contains(res.Body, "globex") {
		t.Fatalf("another account's ticket: %d, a missing one: %d", res.Status, missing.Status)
	}
	wantStatus(t, "dissociate", b.post("/tickets/"+c1.ID+"/relations/"+c2.ID+"/delete", url.Values{}), http.StatusSeeOther)
	if res := b.get("/tickets/" + c1.ID); strings.Contains(res.Body, `href="/tickets/`+c2.ID+`"`) {
		t.Fatal("association not removed")
	}
}

// TestWorkingTheTicket covers the remaining forms: the engineer's reply,
// status and withdrawal, the customer's reject, urge and close, and
// attachment downloads for the engineer and for another account.
func TestWorkingTheTicket(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.customer("acme", "alice", alicePassword)
	e.customer("globex", "mallory", "Mallory-pass-1")
	e.engineer("eve", evePassword)
	cb := e.browser()
	cb.loginCustomer("acme", "alice", alicePassword)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)

	cb.get("/tickets/new")
	res := cb.postFiles("/tickets", url.Values{"business_type_id": {"1"}, "simple_description": {"How do I resize a disk?"}}, map[string]string{"steps.txt": "1. stop\n2. resize"})
	wantStatus(t, "create", res, http.StatusSeeOther)
	caseID := strings.TrimPrefix(res.Location, "/tickets/")

	page := eb.get("/engineer/tickets/" + caseID)
	link := regexp.MustCompile(`href="/engineer/files/([A-Z0-9]+)" download>steps.txt<`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no attachment link for the engineer:\n%s", page.Body)
	}
	if dl := eb.get("/engineer/files/" + link[1]); dl.Status != 200 || dl.Body != "1. stop\n2. resize" {
		t.Fatalf("engineer download: %d %q", dl.Status, dl.Body)
	}
	mb := e.browser()
	mb.loginCustomer("globex", "mallory", "Mallory-pass-1")
	wantStatus(t, "another account's attachment", mb.get("/attachments/"+link[1]), http.StatusNotFound)

	wantStatus(t, "reply", eb.post("/engineer/tickets/"+caseID+"/reply", url.Values{"content": {"Stop the instance first."}}), http.StatusSeeOther)
	wantStatus(t, "status", eb.post("/engineer/tickets/"+caseID+"/status", url.Values{"status": {"17"}}), http.StatusSeeOther)
	wantStatus(t, "bad status", eb.post("/engineer/tickets/"+caseID+"/status", url.Values{"status": {"3"}}), http.StatusBadRequest)
	page = cb.get("/tickets/" + caseID)
	if !strings.Contains(page.Body, "Stop the instance first.") || !strings.Contains(page.Body, "Pending feedback") {
		t.Fatalf("customer view after the engineer's reply:\n%s", page.Body)
	}

	// Two requests: the customer rejects one, the engineer withdraws the other.
	form := url.Values{"resource_type_id": {"2"}, "visit_type_id": {"4"}, "content_type_id": {"3"}, "describe": {"console"}, "d0-type": {"0"}, "d0-name": {"console"}}
	r1 := eb.post("/engineer/tickets/"+caseID+"/authorizations", form)
	r2 := eb.post("/engineer/tickets/"+caseID+"/authorizations", form)
	a1, a2 := strings.TrimPrefix(r1.Location, "/engineer/authorizations/"), strings.TrimPrefix(r2.Location, "/engineer/authorizations/")
	wantStatus(t, "reject without a reason", cb.post("/authorizations/"+a1+"/reject", url.Values{"reason": {" "}}), http.StatusBadRequest)
	wantStatus(t, "reject", cb.post("/authorizations/"+a1+"/reject", url.Values{"reason": {"Not needed"}}), http.StatusSeeOther)
	if page := cb.get("/authorizations/" + a1); !strings.Contains(page.Body, "Rejected") || !strings.Contains(page.Body, "Not needed") {
		t.Fatal("rejection not shown")
	}
	wantStatus(t, "withdraw", eb.post("/engineer/authorizations/"+a2+"/withdraw", url.Values{}), http.StatusSeeOther)
	if page := eb.get("/engineer/authorizations?status=4"); !strings.Contains(page.Body, a2) || strings.Contains(page.Body, a1) {
		t.Fatal("the withdrawn filter")
	}

	wantStatus(t, "urge", cb.post("/tickets/"+caseID+"/actions", url.Values{"action": {"press"}}), http.StatusSeeOther)
	wantStatus(t, "urge again", cb.post("/tickets/"+caseID+"/actions", url.Values{"action": {"press"}}), http.StatusTooManyRequests)
	page = cb.get("/tickets/" + caseID)
	for _, dim := range []string{"score-1", "score-2", "score-3"} {
		if !strings.Contains(page.Body, `name="`+dim+`" type="number" min="0" max="5"`) {
			t.Fatalf("no input for %s in the close form:\n%s", dim, page.Body)
		}
	}
	scores := url.Values{"action": {"close"}, "score-1": {"4"}, "score-2": {"5"}, "score-3": {"3"}, "judgement": {"Quick answer"}}
	wantStatus(t, "close without a score", cb.post("/tickets/"+caseID+"/actions", url.Values{"action": {"close"}}), http.StatusBadRequest)
	tooHigh := cloneValues(scores)
	tooHigh.Set("score-2", "6")
	wantStatus(t, "close with a score past the dimension's highest", cb.post("/tickets/"+caseID+"/actions", tooHigh), http.StatusBadRequest)
	wantStatus(t, "close", cb.post("/tickets/"+caseID+"/actions", scores), http.StatusSeeOther)
	d, err := e.Svc.EngineerCase(ctx, mustEngineer(t, e), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Case.Status != casebook.CaseStatusCompleted || d.Case.Judgement != "Quick answer" {
		t.Fatalf("closed ticket: status %d, judgement %q", d.Case.Status, d.Case.Judgement)
	}
	if got := fmt.Sprint(d.Scores[0].DimensionID, d.Scores[0].Value, d.Scores[1].Value, d.Scores[2].Value); len(d.Scores) != 3 || got != "1 4 5 3" {
		t.Fatalf("stored scores: %d, %s", len(d.Scores), got)
	}
	page = cb.get("/tickets/" + caseID)
	if !regexp.MustCompile(`(?s)id="scores">.*?Response speed</dt><dd>4 / 5<.*?Expertise</dt><dd>5 / 5<.*?Overall satisfaction</dt><dd>3 / 5<`).MatchString(page.Body) ||
		strings.Contains(page.Body, `id="rate-form"`) {
		t.Fatalf("the rated ticket's scores:\n%s", page.Body)
	}
	if page := cb.get("/tickets/" + caseID); strings.Contains(page.Body, `id="reply-form"`) {
		t.Fatal("a closed ticket still offers a reply")
	}
}

// TestControlsAreLabelled: every visible form control of the main pages
// has a <label for> (radio buttons and checkboxes sit inside theirs), so a
// screen reader names it.
func TestControlsAreLabelled(t *testing.T) {
	e := newTestEnv(t)
	alice := e.customer("acme", "alice", alicePassword)
	eve := e.engineer("eve", evePassword)
	c := createCase(t, e, alice, "Disk full")
	a, err := e.Svc.RequestAuthorization(context.Background(), eve, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1", Describe: "ssh",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceName: "web-01", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Labels: one on the ticket, one to add.
	l, err := e.Svc.CreateLabel(context.Background(), alice, "Urgent", "#ff0000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CreateLabel(context.Background(), alice, "Later", "#00ff00"); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.AddCaseLabels(context.Background(), alice, "", c.ID, []int64{l.ID}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	eb := e.browser()
	eb.loginEngineer("eve", evePassword)
	control := regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	attr := func(tag, name string) string {
		m := regexp.MustCompile(`\b` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return m[1]
	}
	pages := map[string]response{}
	for _, p := range []string{"/login", "/tickets", "/tickets/new", "/tickets/" + c.ID, "/authorizations", "/authorizations/" + a.ID, "/authorizations/" + a.ID + "/confirm", "/labels"} {
		pages[p] = b.get(p)
	}
	for _, p := range []string{"/engineer/queue", "/engineer/tickets/" + c.ID, "/engineer/authorizations"} {
		pages[p] = eb.get(p)
	}
	checked := 0
	for path, res := range pages {
		wantStatus(t, path, res, http.StatusOK)
		for _, tag := range control.FindAllString(res.Body, -1) {
			switch attr(tag, "type") {
			case "hidden":
				continue
			case "radio", "checkbox":
				if !regexp.MustCompile(`<label[^>]*>\s*` + regexp.QuoteMeta(tag)).MatchString(res.Body) {
					t.Errorf("%s: %s is not inside a label", path, tag)
				}
				checked++
				continue
			}
			id := attr(tag, "id")
			if id == "" || !strings.Contains(res.Body, `<label for="`+id+`"`) {
				t.Errorf("%s: no label for %s", path, tag)
			}
			checked++
		}
	}
	if checked < 40 {
		t.Fatalf("checked only %d controls", checked)
	}
}

// TestSessionsAcrossReplicas: two consoles with the same key on one store
// (two replicas) accept each other's sessions, and a password change made
// through either ends the session on both at once.
func TestSessionsAcrossReplicas(t *testing.T) {
	e := newTestEnv(t)
	e.customer("acme", "alice", alicePassword)
	other, err := console.New(e.Svc, auth.DeriveKey(bytes.Repeat([]byte{9}, 32), console.KeyPurpose), nil)
	if err != nil {
		t.Fatal(err)
	}
	replica := httptest.NewServer(other)
	defer replica.Close()

	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	u, _ := url.Parse(e.URL)
	r, _ := url.Parse(replica.URL)
	b.c.Jar.SetCookies(r, b.c.Jar.Cookies(u)) // the load balancer sends the same cookies to both
	onReplica := func() response {
		req, _ := http.NewRequest("GET", replica.URL+"/tickets", nil)
		return b.do(req)
	}
	wantStatus(t, "replica", onReplica(), http.StatusOK)

	if err := e.Svc.SetUserPassword(context.Background(), "acme", "alice", "Changed-pass-99"); err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]response{"first": b.get("/tickets"), "replica": onReplica()} {
		if res.Status != http.StatusSeeOther || res.Location != "/login" {
			t.Fatalf("%s after the password change: %d %s", name, res.Status, res.Location)
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestRateLater: a ticket completed without scores (closed through the
// API) offers the rate form, which stores the scores once through
// RateCase; the page then shows them and no longer offers the form.
func TestRateLater(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	c := createCase(t, e, alice, "Billing question")
	if err := e.Svc.CaseAction(ctx, alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionClose}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	page := b.get("/tickets/" + c.ID)
	if !strings.Contains(page.Body, `id="rate-form"`) || !strings.Contains(page.Body, `name="score-3"`) || strings.Contains(page.Body, `id="scores"`) {
		t.Fatalf("an unrated completed ticket:\n%s", page.Body)
	}
	wantStatus(t, "rate with a missing dimension", b.post("/tickets/"+c.ID+"/rate", url.Values{"score-1": {"2"}, "score-2": {"3"}}), http.StatusBadRequest)
	wantStatus(t, "rate below 0", b.post("/tickets/"+c.ID+"/rate", url.Values{"score-1": {"-1"}, "score-2": {"3"}, "score-3": {"1"}}), http.StatusBadRequest)
	rating := url.Values{"score-1": {"0"}, "score-2": {"5"}, "score-3": {"2"}, "judgement": {"Late but fine"}}
	wantStatus(t, "rate", b.post("/tickets/"+c.ID+"/rate", rating), http.StatusSeeOther)
	wantStatus(t, "rate twice", b.post("/tickets/"+c.ID+"/rate", rating), http.StatusConflict)
	page = b.get("/tickets/" + c.ID)
	if !regexp.MustCompile(`(?s)id="scores">.*?Response speed</dt><dd>0 / 5<.*?Expertise</dt><dd>5 / 5<.*?Overall satisfaction</dt><dd>2 / 5<`).MatchString(page.Body) ||
		!strings.Contains(page.Body, "Late but fine") || strings.Contains(page.Body, `id="rate-form"`) {
		t.Fatalf("the rated ticket:\n%s", page.Body)
	}
	// Another account's ticket is not found, as everywhere.
	e.customer("globex", "mallory", "Mallory-pass-1")
	mb := e.browser()
	mb.loginCustomer("globex", "mallory", "Mallory-pass-1")
	mb.get("/tickets")
	wantStatus(t, "rate another account's ticket", mb.post("/tickets/"+c.ID+"/rate", cloneValues(url.Values{"score-1": {"0"}, "score-2": {"5"}, "score-3": {"2"}})), http.StatusNotFound)
	// zh-cn names the dimensions in Chinese.
	b.post("/prefs/lang", url.Values{"lang": {"zh-cn"}, "back": {"/tickets"}})
	if page := b.get("/tickets/" + c.ID); !strings.Contains(page.Body, "响应速度") {
		t.Fatal("the dimensions are not named in Chinese")
	}
}

// TestNewTicketFromStoredDictionaries: the form offers the dictionaries as
// stored (an imported problem type and region appear, in the page's
// language), and CreateCases' refusals come back on the form with the
// user's input kept; in zh-cn with a Chinese sentence and the English
// detail.
func TestNewTicketFromStoredDictionaries(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	d := casebook.DefaultDictionaries()
	d.ProblemTypes = append(d.ProblemTypes, casebook.ProblemType{ID: "77", Name: casebook.Names{ZhCN: "数据恢复", EnUS: "Data recovery"}, CaseType: casebook.BusinessCaseFault})
	d.Regions = append(d.Regions, casebook.DictItem{ID: "la-south-2", Name: casebook.Names{ZhCN: "拉美-圣地亚哥", EnUS: "LA-Santiago"}})
	doc, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.ImportDictionaries(ctx, doc); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	page := b.get("/tickets/new")
	for _, want := range []string{`<option value="77">Data recovery (needs a region)</option>`, `<option value="la-south-2">LA-Santiago (la-south-2)</option>`, `>Elastic Cloud Server</option>`} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("the form lacks %s:\n%s", want, page.Body)
		}
	}

	// A fault report without a region: refused on the form, input kept.
	form := url.Values{"business_type_id": {"77"}, "severity_id": {"2"}, "product_category_id": {"2"}, "simple_description": {"Lost <b>files</b> after a restore"}}
	res := b.post("/tickets", form)
	wantStatus(t, "a fault report without a region", res, http.StatusBadRequest)
	for _, want := range []string{`id="form-error"`, "region_id is required for a fault report.", `<option value="77" selected>`,
		`<option value="2" selected>Elastic Volume Service`, `aria-invalid="true">`, `>Lost &lt;b&gt;files&lt;/b&gt; after a restore</textarea>`} {
		if !strings.Contains(res.Body, want) {
			t.Fatalf("the refused form lacks %s:\n%s", want, res.Body)
		}
	}
	if cases, total, err := e.Svc.ListCases(ctx, alice, "", casebook.CaseFilter{}); err != nil || total != 0 {
		t.Fatalf("a refused form created %d tickets (%v, %v)", total, cases, err)
	}
	form.Set("region_id", "nowhere-1")
	if res := b.post("/tickets", form); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `Unknown region_id &#34;nowhere-1&#34;.`) {
		t.Fatalf("an unknown region: %d\n%s", res.Status, res.Body)
	}

	// In zh-cn: names in Chinese, the error's kind in Chinese, the detail in English.
	b.post("/prefs/lang", url.Values{"lang": {"zh-cn"}, "back": {"/tickets/new"}})
	page = b.get("/tickets/new")
	if !strings.Contains(page.Body, `<option value="77">数据恢复 (需填写区域)</option>`) || !strings.Contains(page.Body, "拉美-圣地亚哥") {
		t.Fatalf("the zh-cn form:\n%s", page.Body)
	}
	form.Set("region_id", "")
	res = b.post("/tickets", form)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "输入有误，请检查后重试。") || !strings.Contains(res.Body, `<span lang="en">region_id is required for a fault report.</span>`) {
		t.Fatalf("the zh-cn refusal: %d\n%s", res.Status, res.Body)
	}
	// The error page too: a conflict in Chinese with the English detail.
	c := createCase(t, e, alice, "Done already")
	if err := e.Svc.CaseAction(ctx, alice, "", c.ID, casebook.CaseActionInput{Action: casebook.CaseActionCancel}); err != nil {
		t.Fatal(err)
	}
	b.get("/tickets/" + c.ID)
	res = b.post("/tickets/"+c.ID+"/actions", url.Values{"action": {"press"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "当前状态不允许此操作。") || !strings.Contains(res.Body, `id="error-detail"`) {
		t.Fatalf("the zh-cn error page: %d\n%s", res.Status, res.Body)
	}

	form.Set("region_id", "la-south-2")
	res = b.post("/tickets", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("the corrected form: %d\n%s", res.Status, res.Body)
	}
	// The ticket's facts are named from the stored dictionaries too.
	page = b.get(res.Location)
	for _, want := range []string{`id="ticket-problem-type">数据恢复<`, "拉美-圣地亚哥 (la-south-2)", "云硬盘"} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("the ticket lacks %s:\n%s", want, page.Body)
		}
	}
}

// TestHistoryPages: a long history is paged 100 events at a time, oldest
// first, in the page's language.
func TestHistoryPages(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice := e.customer("acme", "alice", alicePassword)
	c := createCase(t, e, alice, "Chatty")
	for i := 0; i < 120; i++ { // 1 created + 120 messages
		if _, err := e.Svc.CreateMessage(ctx, alice, "", c.ID, "note "+fmt.Sprint(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.loginCustomer("acme", "alice", alicePassword)
	rows := regexp.MustCompile(`<tr class="event-(\d+)">`)
	page := b.get("/tickets/" + c.ID)
	first := rows.FindAllStringSubmatch(page.Body, -1)
	if len(first) != 100 || first[0][1] != "0" || !strings.Contains(page.Body, "Created the case") || !strings.Contains(page.Body, "1–100 / 121") ||
		!strings.Contains(page.Body, `href="/tickets/`+c.ID+`?history=2#history"`) {
		t.Fatalf("first page of the history: %d rows\n%s", len(first), page.Body)
	}
	page = b.get("/tickets/" + c.ID + "?history=2")
	if second := rows.FindAllStringSubmatch(page.Body, -1); len(second) != 21 || !strings.Contains(page.Body, "101–121 / 121") {
		t.Fatalf("second page of the history: %d rows", len(second))
	}
	wantStatus(t, "history page 0", b.get("/tickets/"+c.ID+"?history=0"), http.StatusBadRequest)
	b.post("/prefs/lang", url.Values{"lang": {"zh-cn"}, "back": {"/tickets"}})
	if page := b.get("/tickets/" + c.ID); !strings.Contains(page.Body, "创建工单") || !strings.Contains(page.Body, "留言") {
		t.Fatal("the history is not in Chinese")
	}
}
