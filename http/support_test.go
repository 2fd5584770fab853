package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// Tests of the support API, through real HTTP against real SQLite.

const supportPath = "/support/v1"

// supportTicket opens a ticket as the customer u through the OSM API.
func supportTicket(t *testing.T, u *testUser, description string) string {
	t.Helper()
	var out struct {
		IncidentID string `json:"incident_id"`
	}
	u.Do("POST", "/v2/servicerequest/cases", map[string]any{
		"business_type_id":   "1",
		"simple_description": description,
		"source_id":          casebook.SourceAPI,
		"severity_id":        "3",
	}).Expect(200).JSON(&out)
	if out.IncidentID == "" {
		t.Fatalf("CreateCases returned no incident_id")
	}
	return out.IncidentID
}

// supportAccessRequest is a valid request body: console and host access.
func supportAccessRequest() map[string]any {
	return map[string]any{
		"resource_type_id": "1",
		"visit_type_id":    "1",
		"content_type_id":  "1",
		"auth_describe":    "SSH to web-1 to read the nginx logs.",
		"details": []map[string]any{
			{"type": 1, "instance_id": "i-0abc", "instance_name": "web-1", "region_id": "cn-south-1", "port": 22, "account": "root"},
			{"type": 0, "region_id": "cn-south-1", "port": 443, "account": "ops"},
		},
	}
}

type supportCaseBody struct {
	ID       string    `json:"id"`
	Account  namedRef  `json:"account"`
	Creator  namedRef  `json:"creator"`
	Status   int       `json:"status"`
	Assignee *namedRef `json:"assignee"`
	Messages []struct {
		ID      string   `json:"id"`
		Type    int      `json:"type"`
		Author  namedRef `json:"author"`
		Content string   `json:"content"`
		IsFirst bool     `json:"is_first"`
	} `json:"messages"`
	SeverityName string `json:"severity_name"`
}

type supportQueueBody struct {
	TotalCount int               `json:"total_count"`
	Cases      []supportCaseBody `json:"cases"`
}

type supportAuthBody struct {
	ID       string    `json:"id"`
	CaseID   string    `json:"case_id"`
	Status   int       `json:"status"`
	InForce  bool      `json:"in_force"`
	Account  namedRef  `json:"account"`
	Engineer namedRef  `json:"engineer"`
	Handler  *namedRef `json:"handler"`
	Details  []struct {
		ID            int64  `json:"id"`
		Type          int    `json:"type"`
		Port          int    `json:"port"`
		Account       string `json:"account"`
		HasCredential bool   `json:"has_credential"`
	} `json:"details"`
}

type supportCredentialsBody struct {
	AuthorizationID string  `json:"authorization_id"`
	EffectiveTime   *string `json:"effective_time"`
	ExpireTime      *string `json:"expire_time"`
	Credentials     []struct {
		AuthDetailID int64  `json:"auth_detail_id"`
		Port         int    `json:"port"`
		Account      string `json:"account"`
		Password     string `json:"password"`
	} `json:"credentials"`
	AgencyName *string `json:"agency_name"`
}

type supportAuditBody struct {
	Events []supportAuditEvent `json:"events"`
}

// queueIDs returns the total and the ids of one page of the queue.
func queueIDs(t *testing.T, eng *testUser, query string) (int, []string) {
	t.Helper()
	var q supportQueueBody
	eng.Do("GET", supportPath+"/cases"+query, nil).Expect(200).JSON(&q)
	ids := make([]string, 0, len(q.Cases))
	for _, c := range q.Cases {
		ids = append(ids, c.ID)
	}
	return q.TotalCount, ids
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		if seen[w] == 0 {
			return false
		}
		seen[w]--
	}
	return true
}

// storedCredentials counts the credential rows of an authorization.
func storedCredentials(t *testing.T, env *testEnv, id string) int {
	t.Helper()
	var n int
	err := env.Store.Read(context.Background(), func(tx casebook.Tx) error {
		creds, err := tx.FindCredentials(context.Background(), id)
		n = len(creds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSupportWalk follows a ticket from the customer's submission through
// the engineer's work to a grant, its credentials, the audit log and the
// grant's expiry.
func TestSupportWalk(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	eng := env.Engineer("eng")
	other := env.Engineer("other-eng")
	const password = "Pa55-word-of-bob!"

	// The customer opens a ticket; it waits in the queue, unassigned.
	caseID := supportTicket(t, bob, "nginx returns 502 behind the load balancer")
	env.Clock.Advance(time.Second) // messages are ordered by time
	var queue supportQueueBody
	eng.Do("GET", supportPath+"/cases?assignee=none", nil, "X-Language", "en-us").Expect(200).JSON(&queue)
	if queue.TotalCount != 1 || len(queue.Cases) != 1 {
		t.Fatalf("queue = %+v", queue)
	}
	c := queue.Cases[0]
	if c.ID != caseID || c.Account != (namedRef{acme.ID, "acme"}) || c.Creator != (namedRef{bob.ID, "bob"}) ||
		c.Status != casebook.CaseStatusPendingAcceptance || c.Assignee != nil || c.SeverityName != "Minor" {
		t.Errorf("queued ticket = %+v", c)
	}

	// The engineer takes it: processing, theirs, out of the unassigned queue.
	var taken supportCaseBody
	eng.Do("POST", supportPath+"/cases/"+caseID+"/take", nil).Expect(200).JSON(&taken)
	if taken.Status != casebook.CaseStatusProcessing || taken.Assignee == nil || *taken.Assignee != (namedRef{eng.ID, "eng"}) {
		t.Errorf("taken = %+v", taken)
	}
	if n, ids := queueIDs(t, eng, "?assignee=none"); n != 0 || len(ids) != 0 {
		t.Errorf("unassigned queue after take: %d %v", n, ids)
	}
	if n, ids := queueIDs(t, eng, "?assignee=me"); n != 1 || !sameSet(ids, caseID) {
		t.Errorf("my queue: %d %v", n, ids)
	}
	if n, _ := queueIDs(t, other, "?assignee=me"); n != 0 {
		t.Errorf("another engineer's queue holds %d tickets", n)
	}
	// Taking it again is a no-op; another engineer cannot.
	eng.Do("POST", supportPath+"/cases/"+caseID+"/take", nil).Expect(200)
	other.Do("POST", supportPath+"/cases/"+caseID+"/take", nil).ExpectError(409, "OSM.01010014")

	// A reply, then "waiting for your feedback"; the customer sees both.
	var msg struct {
		ID      string   `json:"id"`
		Type    int      `json:"type"`
		Author  namedRef `json:"author"`
		Content string   `json:"content"`
	}
	eng.Do("POST", supportPath+"/cases/"+caseID+"/messages", map[string]string{"content": "Which backend pool?"}).Expect(201).JSON(&msg)
	if msg.ID == "" || msg.Type != casebook.MessageFromEngineer || msg.Author != (namedRef{eng.ID, "eng"}) || msg.Content != "Which backend pool?" {
		t.Errorf("reply = %+v", msg)
	}
	var status supportCaseBody
	eng.Do("PUT", supportPath+"/cases/"+caseID+"/status", map[string]int{"status": 17}).Expect(200).JSON(&status)
	if status.Status != casebook.CaseStatusPendingFeedback {
		t.Errorf("status = %d", status.Status)
	}
	var customerView struct {
		Detail struct {
			Status      int `json:"status"`
			MessageList []struct {
				Type    int    `json:"type"`
				Content string `json:"content"`
			} `json:"message_list"`
		} `json:"incident_detail_info"`
	}
	bob.Do("GET", "/v2/servicerequest/cases/"+caseID, nil).Expect(200).JSON(&customerView)
	if customerView.Detail.Status != 17 || len(customerView.Detail.MessageList) != 2 ||
		customerView.Detail.MessageList[1].Type != 1 || customerView.Detail.MessageList[1].Content != "Which backend pool?" {
		t.Errorf("the customer sees %+v", customerView.Detail)
	}
	var detail supportCaseBody
	eng.Do("GET", supportPath+"/cases/"+caseID, nil).Expect(200).JSON(&detail)
	if len(detail.Messages) != 2 || !detail.Messages[0].IsFirst || detail.Messages[0].Author.Name != "bob" || detail.Messages[1].Type != 1 {
		t.Errorf("engineer's detail: %+v", detail)
	}

	// The engineer asks for access: 201, a string id, numeric detail ids.
	res := eng.Do("POST", supportPath+"/cases/"+caseID+"/authorizations", supportAccessRequest()).Expect(201)
	var raw struct {
		ID      json.RawMessage              `json:"id"`
		Details []map[string]json.RawMessage `json:"details"`
	}
	res.JSON(&raw)
	if !strings.HasPrefix(string(raw.ID), `"`) || len(raw.Details) != 2 {
		t.Fatalf("authorization: %s", res.Body)
	}
	for _, d := range raw.Details {
		var n int64
		if err := json.Unmarshal(d["id"], &n); err != nil || n <= 0 {
			t.Errorf("detail id %s is not a positive JSON number", d["id"])
		}
	}
	var auth supportAuthBody
	res.JSON(&auth)
	if auth.Status != casebook.AuthStatusPending || auth.CaseID != caseID || auth.InForce || auth.Engineer != (namedRef{eng.ID, "eng"}) || auth.Handler != nil {
		t.Errorf("requested = %+v", auth)
	}
	// Nothing to read before the customer answers.
	eng.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).ExpectError(409, "OSM.01010014")

	// The customer grants an hour, with a password for the host.
	now := env.Clock.Now()
	bob.Do("PUT", "/v2/servicerequest/authorizations/"+auth.ID, map[string]any{
		"auth_detail_list":    []map[string]any{{"auth_detail_id": auth.Details[0].ID, "port": 2222, "account": "deploy", "password": password}},
		"auth_effective_time": now.UnixMilli(),
		"auth_expire_time":    now.Add(time.Hour).UnixMilli(),
	}).Expect(200)

	var mine struct {
		TotalCount     int               `json:"total_count"`
		Authorizations []supportAuthBody `json:"authorizations"`
	}
	eng.Do("GET", supportPath+"/authorizations?case_id="+caseID, nil).Expect(200).JSON(&mine)
	if mine.TotalCount != 1 || len(mine.Authorizations) != 1 {
		t.Fatalf("my authorizations: %+v", mine)
	}
	a := mine.Authorizations[0]
	if a.Status != casebook.AuthStatusAuthorized || !a.InForce || a.Handler == nil || a.Handler.Name != "bob" ||
		!a.Details[0].HasCredential || a.Details[0].Port != 2222 || a.Details[0].Account != "deploy" || a.Details[1].HasCredential {
		t.Errorf("granted = %+v", a)
	}
	if n, _ := func() (int, error) {
		var o struct {
			TotalCount int `json:"total_count"`
		}
		other.Do("GET", supportPath+"/authorizations", nil).Expect(200).JSON(&o)
		return o.TotalCount, nil
	}(); n != 0 {
		t.Errorf("another engineer lists %d authorizations", n)
	}

	// The requesting engineer reads the password; nobody else can.
	res = eng.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).Expect(200)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var creds supportCredentialsBody
	res.JSON(&creds)
	if creds.AuthorizationID != auth.ID || len(creds.Credentials) != 1 || creds.AgencyName != nil ||
		creds.EffectiveTime == nil || *creds.EffectiveTime != formatTime(now) || *creds.ExpireTime != formatTime(now.Add(time.Hour)) {
		t.Fatalf("credentials = %s", res.Body)
	}
	if got := creds.Credentials[0]; got.AuthDetailID != auth.Details[0].ID || got.Port != 2222 || got.Account != "deploy" || got.Password != password {
		t.Errorf("credential = %+v", got)
	}
	res = other.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).ExpectError(403, "OSM.01010002")
	if strings.Contains(string(res.Body), password) || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("refusal: %s %v", res.Body, res.Header)
	}
	other.Do("POST", supportPath+"/authorizations/"+auth.ID+"/withdraw", nil).ExpectError(403, "OSM.01010002")
	// The customer's token has no way in either.
	bob.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).ExpectError(403, "OSM.0003")

	// The read is in the engineer's audit trail, and only in theirs.
	var audit supportAuditBody
	eng.Do("GET", supportPath+"/audit?authorization_id="+auth.ID, nil).Expect(200).JSON(&audit)
	if len(audit.Events) != 1 {
		t.Fatalf("audit = %+v", audit)
	}
	if e := audit.Events[0]; e.Action != casebook.AuditCredentialRead || e.ActorID != eng.ID || e.ActorRealm != "engineer" ||
		e.AuthorizationID != auth.ID || e.CaseID != caseID || e.AccountID != acme.ID || e.At != formatTime(now) {
		t.Errorf("audit event = %+v", e)
	}
	other.Do("GET", supportPath+"/audit?authorization_id="+auth.ID, nil).Expect(200).JSON(&audit)
	if len(audit.Events) != 0 {
		t.Errorf("another engineer sees %+v", audit.Events)
	}
	events, err := env.Svc.FindAudit(context.Background(), casebook.AuditFilter{AuthorizationID: auth.ID})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, e := range events {
		if e.Action == casebook.AuditCredentialRead {
			reads++
		}
		if strings.Contains(e.Detail, password) {
			t.Errorf("audit detail holds the password: %q", e.Detail)
		}
	}
	if reads != 1 {
		t.Errorf("%d credential reads audited, want 1 (the refused ones are not reads)", reads)
	}

	// Past the window: refused at once, before any sweeper ran...
	env.Clock.Advance(time.Hour)
	eng.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).ExpectError(409, "OSM.01010014")
	var expired supportAuthBody
	eng.Do("GET", supportPath+"/authorizations/"+auth.ID, nil).Expect(200).JSON(&expired)
	if expired.Status != casebook.AuthStatusExpired || expired.InForce {
		t.Errorf("after the window: %+v", expired)
	}
	// ...and gone once the sweeper has run.
	if storedCredentials(t, env, auth.ID) != 1 {
		t.Fatalf("the credential row should still exist before the sweep")
	}
	if n, err := env.Svc.ExpireGrants(context.Background()); err != nil || n != 1 {
		t.Fatalf("ExpireGrants = %d, %v", n, err)
	}
	if n := storedCredentials(t, env, auth.ID); n != 0 {
		t.Errorf("%d credential rows left after expiry", n)
	}
	eng.Do("GET", supportPath+"/authorizations/"+auth.ID, nil).Expect(200).JSON(&expired)
	if expired.Status != casebook.AuthStatusExpired || expired.Details[0].HasCredential {
		t.Errorf("after the sweep: %+v", expired)
	}
	eng.Do("GET", supportPath+"/authorizations/"+auth.ID+"/credentials", nil).ExpectError(409, "OSM.01010014")
	eng.Do("POST", supportPath+"/authorizations/"+auth.ID+"/withdraw", nil).ExpectError(409, "OSM.01010014")

	// The password went out in exactly one response, and never to the log.
	if strings.Contains(env.Logs.String(), password) {
		t.Errorf("the server log holds the password")
	}
}

// TestSupportWithdraw withdraws a pending request and a grant in force.
func TestSupportWithdraw(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	eng := env.Engineer("eng")
	caseID := supportTicket(t, acme.Master, "disk full")

	var pending supportAuthBody
	eng.Do("POST", supportPath+"/cases/"+caseID+"/authorizations", supportAccessRequest()).Expect(201).JSON(&pending)
	var withdrawn supportAuthBody
	eng.Do("POST", supportPath+"/authorizations/"+pending.ID+"/withdraw", nil).Expect(200).JSON(&withdrawn)
	if withdrawn.Status != casebook.AuthStatusWithdrawn {
		t.Errorf("withdrawn = %+v", withdrawn)
	}
	eng.Do("POST", supportPath+"/authorizations/"+pending.ID+"/withdraw", nil).ExpectError(409, "OSM.01010014")

	var granted supportAuthBody
	eng.Do("POST", supportPath+"/cases/"+caseID+"/authorizations", supportAccessRequest()).Expect(201).JSON(&granted)
	now := env.Clock.Now()
	acme.Master.Do("PUT", "/v2/servicerequest/authorizations/"+granted.ID, map[string]any{
		"auth_detail_list":    []map[string]any{{"auth_detail_id": granted.Details[1].ID, "password": "console-pw"}},
		"auth_effective_time": now.UnixMilli(),
		"auth_expire_time":    now.Add(2 * time.Hour).UnixMilli(),
	}).Expect(200)
	eng.Do("GET", supportPath+"/authorizations/"+granted.ID+"/credentials", nil).Expect(200)
	eng.Do("POST", supportPath+"/authorizations/"+granted.ID+"/withdraw", nil).Expect(200).JSON(&withdrawn)
	if withdrawn.Status != casebook.AuthStatusWithdrawn || withdrawn.InForce || withdrawn.Details[1].HasCredential {
		t.Errorf("withdrawn grant = %+v", withdrawn)
	}
	if n := storedCredentials(t, env, granted.ID); n != 0 {
		t.Errorf("%d credential rows left after withdrawal", n)
	}
	eng.Do("GET", supportPath+"/authorizations/"+granted.ID+"/credentials", nil).ExpectError(409, "OSM.01010014")

	// The engineer's trail: the read, the end and the destruction.
	var audit supportAuditBody
	eng.Do("GET", supportPath+"/audit?authorization_id="+granted.ID, nil).Expect(200).JSON(&audit)
	var actions []string
	for _, e := range audit.Events {
		actions = append(actions, e.Action)
	}
	if !sameSet(actions, casebook.AuditCredentialRead, casebook.AuditGrantEnded, casebook.AuditCredentialDestroyed) {
		t.Errorf("audit actions = %v", actions)
	}
	// Without a filter, both authorizations' events, newest first.
	eng.Do("GET", supportPath+"/audit", nil).Expect(200).JSON(&audit)
	if len(audit.Events) != 4 || audit.Events[0].ID < audit.Events[len(audit.Events)-1].ID {
		t.Errorf("all my events: %+v", audit.Events)
	}
	eng.Do("GET", supportPath+"/audit?limit=1", nil).Expect(200).JSON(&audit)
	if len(audit.Events) != 1 {
		t.Errorf("limit=1 gave %d events", len(audit.Events))
	}
}

// TestSupportQueueFilters checks status, assignee, account and paging.
func TestSupportQueueFilters(t *testing.T) {
	env := newTestEnv(t)
	acme, globex := env.Account("acme"), env.Account("globex")
	eng, other := env.Engineer("eng"), env.Engineer("other")
	ctx := context.Background()
	engP, otherP := supportPrincipal(t, eng), supportPrincipal(t, other)

	a1 := supportTicket(t, acme.Master, "a1")
	env.Clock.Advance(time.Millisecond)
	a2 := supportTicket(t, acme.Master, "a2")
	env.Clock.Advance(time.Millisecond)
	g1 := supportTicket(t, globex.Master, "g1")
	env.Clock.Advance(time.Millisecond)
	g2 := supportTicket(t, globex.Master, "g2")
	env.Clock.Advance(time.Millisecond)
	a3 := supportTicket(t, acme.Master, "a3 cancelled")
	if _, err := env.Svc.TakeCase(ctx, engP, a1); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.SetCaseStatus(ctx, engP, g1, casebook.CaseStatusPendingFeedback); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.TakeCase(ctx, otherP, g2); err != nil {
		t.Fatal(err)
	}
	acme.Master.Do("POST", "/v2/servicerequest/cases/"+a3+"/action?action_id=cancel", map[string]any{}).Expect(200)
	// A deleted ticket is nobody's work.
	deleted := supportTicket(t, acme.Master, "deleted")
	acme.Master.Do("POST", "/v2/servicerequest/cases/"+deleted+"/action?action_id=cancel", map[string]any{}).Expect(200)
	acme.Master.Do("POST", "/v2/servicerequest/cases/"+deleted+"/action?action_id=delete", map[string]any{}).Expect(200)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{a1, a2, g1, g2, a3}},
		{"?assignee=any", []string{a1, a2, g1, g2, a3}},
		{"?assignee=me", []string{a1, g1}},
		{"?assignee=none", []string{a2, a3}},
		{"?assignee=none&status=0", []string{a2}},
		{"?status=1", []string{a1, g2}},
		{"?status=1&status=17", []string{a1, g1, g2}},
		{"?status=1,17", []string{a1, g1, g2}},
		{"?status=4", []string{a3}},
		{"?status=13", nil},
		{"?account=acme", []string{a1, a2, a3}},
		{"?account=" + globex.ID, []string{g1, g2}},
		{"?account=globex&assignee=me", []string{g1}},
		{"?account=acme&status=1&assignee=me", []string{a1}},
	} {
		total, ids := queueIDs(t, eng, tc.query)
		if total != len(tc.want) || !sameSet(ids, tc.want...) {
			t.Errorf("queue%s = %d %v, want %v", tc.query, total, ids, tc.want)
		}
	}

	// Newest first, paged, with the total of the whole selection.
	total, ids := queueIDs(t, eng, "?limit=2")
	if total != 5 || len(ids) != 2 || ids[0] != a3 || ids[1] != g2 {
		t.Errorf("page 1 = %d %v", total, ids)
	}
	total, ids = queueIDs(t, eng, "?limit=2&offset=4")
	if total != 5 || len(ids) != 1 || ids[0] != a1 {
		t.Errorf("last page = %d %v", total, ids)
	}
	total, ids = queueIDs(t, eng, "?offset=65535")
	if total != 5 || len(ids) != 0 {
		t.Errorf("far page = %d %v", total, ids)
	}

	// The default page is 10 tickets.
	for i := 0; i < 7; i++ {
		supportTicket(t, acme.Master, fmt.Sprintf("more %d", i))
	}
	if total, ids := queueIDs(t, eng, ""); total != 12 || len(ids) != 10 {
		t.Errorf("default page = %d, %d ids", total, len(ids))
	}
	if total, ids := queueIDs(t, eng, "?limit=100"); total != 12 || len(ids) != 12 {
		t.Errorf("limit=100 = %d, %d ids", total, len(ids))
	}
}

// supportPrincipal resolves an engineer for direct Service calls.
func supportPrincipal(t *testing.T, u *testUser) *casebook.Principal {
	t.Helper()
	p, _, err := u.env.Svc.ResolvePrincipal(context.Background(), casebook.RealmEngineer, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSupportLimits checks every bound of the support API at the limit
// and one past it. Past it: 400 naming the field, and nothing changed.
func TestSupportLimits(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	eng := env.Engineer("eng")
	caseID := supportTicket(t, acme.Master, "limits")
	s := strings.Repeat

	bad := func(t *testing.T, res *testResponse, field string) {
		t.Helper()
		res.inSubtest(t).ExpectError(400, "OSM.01010001")
		if !strings.Contains(string(res.Body), field) {
			t.Errorf("error does not name %s: %s", field, res.Body)
		}
	}

	t.Run("queue", func(t *testing.T) {
		for _, q := range []string{"offset=0", "offset=65535", "limit=1", "limit=100", "status=0", "status=30",
			"assignee=me", "assignee=none", "assignee=any", "account=acme", "account=" + acme.ID} {
			eng.Do("GET", supportPath+"/cases?"+q, nil).inSubtest(t).Expect(200)
		}
		for q, field := range map[string]string{
			"offset=-1": "offset", "offset=65536": "offset", "offset=x": "offset",
			"limit=0": "limit", "limit=101": "limit", "limit=1.5": "limit",
			"status=-1": "status", "status=31": "status", "status=open": "status",
			"status=0&status=1&status=2&status=3&status=4&status=5&status=6&status=7&status=8&status=9&status=10": "status",
			"assignee=nobody": "assignee", "assignee=ME": "assignee",
			"account=initech": "account", "account=" + s("a", 65): "account",
		} {
			bad(t, eng.Do("GET", supportPath+"/cases?"+q, nil), field)
		}
	})

	t.Run("messages", func(t *testing.T) {
		path := supportPath + "/cases/" + caseID + "/messages"
		eng.Do("POST", path, map[string]string{"content": "x"}).inSubtest(t).Expect(201)
		eng.Do("POST", path, map[string]string{"content": s("字", 10000)}).inSubtest(t).Expect(201)
		bad(t, eng.Do("POST", path, map[string]string{"content": s("字", 10001)}), "content")
		bad(t, eng.Do("POST", path, map[string]string{"content": ""}), "content")
		bad(t, eng.Do("POST", path, map[string]any{}), "content")
		bad(t, eng.Do("POST", path, map[string]string{"content": "   "}), "empty")
		bad(t, eng.Do("POST", path, map[string]int{"content": 5}), "content")
		eng.Do("POST", path, "{").inSubtest(t).ExpectError(400, "OSM.0001")
		var d supportCaseBody
		eng.Do("GET", supportPath+"/cases/"+caseID, nil).inSubtest(t).Expect(200).JSON(&d)
		if len(d.Messages) != 3 {
			t.Errorf("%d messages, want the first one and two replies", len(d.Messages))
		}
	})

	t.Run("status", func(t *testing.T) {
		path := supportPath + "/cases/" + caseID + "/status"
		for _, st := range []int{1, 2, 17} {
			eng.Do("PUT", path, map[string]int{"status": st}).inSubtest(t).Expect(200)
		}
		for _, st := range []int{0, 3, 4, 13, 18, -1} {
			bad(t, eng.Do("PUT", path, map[string]int{"status": st}), "status")
		}
		bad(t, eng.Do("PUT", path, nil), "status")
		bad(t, eng.Do("PUT", path, map[string]string{"status": "1"}), "status")
	})

	t.Run("authorization request", func(t *testing.T) {
		path := supportPath + "/cases/" + caseID + "/authorizations"
		count := func() int {
			var o struct {
				TotalCount int `json:"total_count"`
			}
			eng.Do("GET", supportPath+"/authorizations", nil).inSubtest(t).Expect(200).JSON(&o)
			return o.TotalCount
		}
		with := func(mod func(body map[string]any, item map[string]any)) map[string]any {
			body := supportAccessRequest()
			item := map[string]any{"type": 1, "instance_id": "i", "instance_name": "n", "region_id": "r", "port": 22, "account": "root"}
			body["details"] = []map[string]any{item}
			mod(body, item)
			return body
		}
		items := func(n int) []map[string]any {
			var out []map[string]any
			for i := 0; i < n; i++ {
				out = append(out, map[string]any{"type": i % 2, "port": i})
			}
			return out
		}
		ok := []map[string]any{
			with(func(b, i map[string]any) { b["details"] = items(1) }),
			with(func(b, i map[string]any) { b["details"] = items(5) }),
			with(func(b, i map[string]any) { i["port"] = 0 }),
			with(func(b, i map[string]any) { i["port"] = 65535 }),
			with(func(b, i map[string]any) { i["type"] = 0 }),
			with(func(b, i map[string]any) {
				i["account"], i["instance_id"], i["instance_name"], i["region_id"] = s("a", 64), s("b", 64), s("c", 64), s("d", 64)
			}),
			with(func(b, i map[string]any) { b["auth_describe"] = s("字", 2000) }),
			with(func(b, i map[string]any) { delete(b, "content_type_id") }),
		}
		for _, body := range ok {
			eng.Do("POST", path, body).inSubtest(t).Expect(201)
		}
		before := count()
		for field, body := range map[string]map[string]any{
			"details":          with(func(b, i map[string]any) { b["details"] = items(6) }),
			"1 to 5":           with(func(b, i map[string]any) { b["details"] = items(0) }),
			"port":             with(func(b, i map[string]any) { i["port"] = 65536 }),
			"port ":            with(func(b, i map[string]any) { i["port"] = -1 }),
			"type":             with(func(b, i map[string]any) { i["type"] = 2 }),
			"type ":            with(func(b, i map[string]any) { delete(i, "type") }),
			"account":          with(func(b, i map[string]any) { i["account"] = s("a", 65) }),
			"instance_id":      with(func(b, i map[string]any) { i["instance_id"] = s("a", 65) }),
			"instance_name":    with(func(b, i map[string]any) { i["instance_name"] = s("a", 65) }),
			"region_id":        with(func(b, i map[string]any) { i["region_id"] = s("a", 65) }),
			"auth_describe":    with(func(b, i map[string]any) { b["auth_describe"] = s("字", 2001) }),
			"auth_describe ":   with(func(b, i map[string]any) { b["auth_describe"] = "" }),
			"resource_type_id": with(func(b, i map[string]any) { b["resource_type_id"] = "99" }),
			"visit_type_id":    with(func(b, i map[string]any) { b["visit_type_id"] = "" }),
			"content_type_id":  with(func(b, i map[string]any) { b["content_type_id"] = s("9", 65) }),
		} {
			bad(t, eng.Do("POST", path, body), strings.TrimSpace(field))
		}
		if after := count(); after != before {
			t.Errorf("refused requests created %d authorizations", after-before)
		}
	})

	t.Run("authorization list", func(t *testing.T) {
		for _, q := range []string{"offset=0", "offset=65535", "limit=1", "limit=100", "status=0", "status=5", "case_id=" + s("c", 64)} {
			eng.Do("GET", supportPath+"/authorizations?"+q, nil).inSubtest(t).Expect(200)
		}
		for q, field := range map[string]string{
			"offset=-1": "offset", "offset=65536": "offset", "limit=0": "limit", "limit=101": "limit",
			"status=-1": "status", "status=6": "status", "case_id=" + s("c", 65): "case_id",
		} {
			bad(t, eng.Do("GET", supportPath+"/authorizations?"+q, nil), field)
		}
	})

	t.Run("audit", func(t *testing.T) {
		for _, q := range []string{"limit=1", "limit=100"} {
			eng.Do("GET", supportPath+"/audit?"+q, nil).inSubtest(t).Expect(200)
		}
		for q, field := range map[string]string{"limit=0": "limit", "limit=101": "limit", "authorization_id=" + s("A", 33): "authorization_id"} {
			bad(t, eng.Do("GET", supportPath+"/audit?"+q, nil), field)
		}
	})
}

// TestSupportNotFound sends every id-taking support route ids that name
// nothing: 404, the same for an id too long to exist.
func TestSupportNotFound(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	eng := env.Engineer("eng")
	caseID := supportTicket(t, acme.Master, "exists")
	var a supportAuthBody
	eng.Do("POST", supportPath+"/cases/"+caseID+"/authorizations", supportAccessRequest()).Expect(201).JSON(&a)

	// A deleted ticket is gone for engineers too.
	deleted := supportTicket(t, acme.Master, "deleted")
	acme.Master.Do("POST", "/v2/servicerequest/cases/"+deleted+"/action?action_id=cancel", map[string]any{}).Expect(200)
	acme.Master.Do("POST", "/v2/servicerequest/cases/"+deleted+"/action?action_id=delete", map[string]any{}).Expect(200)

	bodies := map[string]any{
		"/status":         map[string]int{"status": 1},
		"/messages":       map[string]string{"content": "hello"},
		"/authorizations": supportAccessRequest(),
	}
	covered := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		if !strings.HasPrefix(rt.Pattern, supportPath+"/") {
			continue
		}
		var ids []string
		var code string
		switch {
		case strings.Contains(rt.Pattern, "{case_id}"):
			ids, code = []string{"CS20200101AAAAAAAAAAAA", deleted, strings.Repeat("C", 65)}, "OSM.01010015"
		case strings.Contains(rt.Pattern, "{authorization_id}"):
			ids, code = []string{"AU0000000000000000", caseID, strings.Repeat("A", 33)}, "OSM.01010001"
		default:
			continue
		}
		covered[rt.Method+" "+rt.Pattern] = true
		var body any
		for suffix, b := range bodies {
			if strings.HasSuffix(rt.Pattern, suffix) {
				body = b
			}
		}
		for _, id := range ids {
			path := strings.NewReplacer("{case_id}", url.PathEscape(id), "{authorization_id}", url.PathEscape(id)).Replace(rt.Pattern)
			t.Run(rt.Op+"/"+id[:min(len(id), 24)], func(t *testing.T) {
				eng.Do(rt.Method, path, body).inSubtest(t).ExpectError(404, code)
			})
		}
	}
	if len(covered) != 8 {
		t.Errorf("covered %d id-taking routes, want 8: %v", len(covered), covered)
	}
	eng.Do("GET", supportPath+"/audit?authorization_id=AU0000000000000000", nil).ExpectError(404, "OSM.01010001")
	// The real ids still answer (the 404s above are about the ids).
	eng.Do("GET", supportPath+"/cases/"+caseID, nil).Expect(200)
	eng.Do("GET", supportPath+"/authorizations/"+a.ID, nil).Expect(200)
}

// TestSupportRealms: customer tokens and signatures are refused on every
// support route, engineer tokens on every customer route.
func TestSupportRealms(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	eng := env.Engineer("eng")
	caseID := supportTicket(t, acme.Master, "realms")

	support, customer := 0, 0
	for _, rt := range (&Server{}).routes() {
		path := strings.NewReplacer("{case_id}", caseID, "{authorization_id}", "AU0000000000000000",
			"{accessory_id}", "AC0000000000000000", "{access_key}", "AKAKAKAKAKAKAKAKAKAK").Replace(rt.Pattern)
		switch rt.Auth {
		case authEngineer:
			support++
			acme.Master.Do(rt.Method, path, "{}").ExpectError(403, "OSM.0003")
		case authCustomer:
			customer++
			res := eng.Do(rt.Method, path, "{}")
			if res.Status != 403 || !strings.Contains(string(res.Body), "OSM.0003") {
				t.Errorf("engineer token on %s %s: %d %s", rt.Method, rt.Pattern, res.Status, res.Body)
			}
		}
	}
	if support != 16 || customer < 19 {
		t.Errorf("checked %d support and %d customer routes", support, customer)
	}
	// No credentials at all: 401 on the support API too.
	env.Do("GET", supportPath+"/cases", nil).ExpectError(401, "APIGW.0301")
	// An engineer token obtained through the login route works.
	res := env.Do("POST", supportPath+"/auth/tokens", map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{"name": "eng", "password": testPassword}}}}}).Expect(201)
	env.Do("GET", supportPath+"/cases", nil, "X-Auth-Token", res.Header.Get("X-Subject-Token")).Expect(200)
}
