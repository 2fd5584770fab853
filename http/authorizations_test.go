package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

const authorizationsPath = "/v2/servicerequest/authorizations"

// unknownAuthorizationID has the form of an id but names nothing.
const unknownAuthorizationID = "AU0000000000000000"

// svcPrincipal resolves a test user (customer or engineer) for direct
// Service calls that set up fixtures.
func svcPrincipal(t testing.TB, u *testUser) *casebook.Principal {
	t.Helper()
	realm := casebook.RealmCustomer
	if u.AccountID == "" {
		realm = casebook.RealmEngineer
	}
	p, _, err := u.env.Svc.ResolvePrincipal(context.Background(), realm, u.ID)
	if err != nil {
		t.Fatalf("resolve %s: %v", u.Name, err)
	}
	return p
}

// svcTicket opens a consultation ticket as u through the Service.
func svcTicket(t testing.TB, u *testUser, description string) string {
	t.Helper()
	c, err := u.env.Svc.CreateCase(context.Background(), svcPrincipal(t, u), casebook.CaseInput{
		BusinessTypeID:    "1",
		SimpleDescription: description,
		SourceID:          casebook.SourceAPI,
	})
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	return c.ID
}

// svcGrantRequest has the engineer ask for console and host access on a
// ticket.
func svcGrantRequest(t testing.TB, eng *testUser, caseID string) *casebook.Authorization {
	t.Helper()
	a, err := eng.env.Svc.RequestAuthorization(context.Background(), svcPrincipal(t, eng), caseID, casebook.AuthorizationRequest{
		ResourceTypeID: "2",
		VisitTypeID:    "4",
		ContentTypeID:  "2",
		Describe:       "Console access to check the load balancer.",
		Details: []casebook.AuthDetail{
			{Type: casebook.AuthDetailConsole, Port: 443, Account: "ops", RegionID: "cn-south-1"},
			{Type: casebook.AuthDetailHost, Port: 22, Account: "root", InstanceID: "i-0abc", InstanceName: "web-1", RegionID: "cn-south-1"},
		},
	})
	if err != nil {
		t.Fatalf("request authorization: %v", err)
	}
	return a
}

// grantFixture: acme with alice and bob in "team" and carol in "ops";
// another account; an engineer who asked for access on bob's, carol's
// and the other account's tickets.
type grantFixture struct {
	env                   *testEnv
	acme, other           *testAccount
	alice, bob, carol     *testUser
	xavier                *testUser
	eng                   *testUser
	team, ops, otherGroup string
	bobCase, carolCase    string
	otherCase             string
	bobAuth, carolAuth    *casebook.Authorization
	otherAuth             *casebook.Authorization
}

func newGrantFixture(t *testing.T) *grantFixture {
	env := newTestEnv(t)
	f := &grantFixture{env: env, acme: env.Account("acme"), other: env.Account("other")}
	f.alice, f.bob, f.carol = f.acme.User("alice"), f.acme.User("bob"), f.acme.User("carol")
	f.team = f.acme.Group("team", f.alice, f.bob)
	f.ops = f.acme.Group("ops", f.carol)
	f.xavier = f.other.User("xavier")
	f.otherGroup = f.other.Group("x", f.xavier)
	f.eng = env.Engineer("eng")
	f.bobCase = svcTicket(t, f.bob, "Load balancer drops connections")
	f.carolCase = svcTicket(t, f.carol, "Database is slow")
	f.otherCase = svcTicket(t, f.xavier, "Other account's ticket")
	f.bobAuth = svcGrantRequest(t, f.eng, f.bobCase)
	f.carolAuth = svcGrantRequest(t, f.eng, f.carolCase)
	f.otherAuth = svcGrantRequest(t, f.eng, f.otherCase)
	return f
}

// confirmBody is a valid confirmation of a: a password for its first
// item and a one-hour window starting now.
func confirmBody(a *casebook.Authorization, now time.Time, password string) map[string]any {
	return map[string]any{
		"auth_detail_list":    []map[string]any{{"auth_detail_id": a.Details[0].ID, "port": 443, "account": "ops", "password": password}},
		"auth_effective_time": now.UnixMilli(),
		"auth_expire_time":    now.Add(time.Hour).UnixMilli(),
	}
}

// authStatus reads an authorization's stored status.
func authStatus(t *testing.T, env *testEnv, id string) int {
	t.Helper()
	var status int
	err := env.Store.Read(context.Background(), func(tx casebook.Tx) error {
		a, err := tx.FindAuthorizationByID(context.Background(), id)
		if err == nil {
			status = a.Status
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return status
}

type listAuthBody struct {
	Count            json.RawMessage              `json:"count"`
	IncidentAuthList []map[string]json.RawMessage `json:"incident_auth_list"`
}

func listAuthIDs(t *testing.T, u *testUser, query string, headers ...string) (int, []string) {
	t.Helper()
	var body listAuthBody
	res := u.Do("GET", authorizationsPath+query, nil, headers...)
	if res.Status != 200 {
		t.Fatalf("list %s: %d %s", query, res.Status, res.Body)
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatalf("list %s: %v", query, err)
	}
	var count int
	if err := json.Unmarshal(body.Count, &count); err != nil {
		t.Fatalf("count %s is not an integer: %v", body.Count, err)
	}
	var ids []string
	for _, item := range body.IncidentAuthList {
		var id string
		if err := json.Unmarshal(item["id"], &id); err != nil {
			t.Fatalf("id %s is not a string: %v", item["id"], err)
		}
		ids = append(ids, id)
	}
	return count, ids
}

func sameIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range want {
		if seen[id] == 0 {
			return false
		}
		seen[id]--
	}
	return true
}

func TestListAuthorizationsVisibility(t *testing.T) {
	f := newGrantFixture(t)
	for _, tc := range []struct {
		name  string
		user  *testUser
		query string
		want  []string
	}{
		{"own tickets only", f.bob, "", []string{f.bobAuth.ID}},
		{"nothing of her own", f.alice, "", nil},
		{"the group's tickets", f.alice, "?group_id=" + f.team, []string{f.bobAuth.ID}},
		{"master sees the account", f.acme.Master, "", []string{f.bobAuth.ID, f.carolAuth.ID}},
		{"other account", f.other.Master, "", []string{f.otherAuth.ID}},
		{"filter by ticket", f.acme.Master, "?incident_id=" + f.carolCase, []string{f.carolAuth.ID}},
		{"filter by creator", f.acme.Master, "?sub_customer_name=carol", []string{f.carolAuth.ID}},
		{"filter by description", f.acme.Master, "?simple_description=balancer", []string{f.bobAuth.ID}},
		{"filter by status", f.acme.Master, "?status=0", []string{f.bobAuth.ID, f.carolAuth.ID}},
		{"no match for status", f.acme.Master, "?status=1", nil},
		{"bare keys are absent", f.bob, "?group_id&incident_id&status&limit&offset", []string{f.bobAuth.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count, ids := listAuthIDs(t, tc.user, tc.query)
			if count != len(tc.want) || !sameIDs(ids, tc.want...) {
				t.Errorf("count %d ids %v, want %v", count, ids, tc.want)
			}
		})
	}

	// A group the caller is not in answers exactly like a group that does
	// not exist, whether it is of the same account or another.
	missing := f.alice.Do("GET", authorizationsPath+"?group_id=00000000000000000000000000000000", nil).ExpectError(403, "OSM.01010002")
	for _, g := range []string{f.ops, f.otherGroup} {
		got := f.alice.Do("GET", authorizationsPath+"?group_id="+g, nil)
		likeMissing(t, got, missing, g, "00000000000000000000000000000000")
	}
}

func TestListAuthorizationsOutput(t *testing.T) {
	f := newGrantFixture(t)
	var body listAuthBody
	f.bob.Do("GET", authorizationsPath, nil).Expect(200).JSON(&body)
	if string(body.Count) != "1" {
		t.Fatalf("count = %s, want the JSON number 1", body.Count)
	}
	item := body.IncidentAuthList[0]
	hasKeys(t, "incident_auth_list item", item, "id", "status", "incident_id", "simple_description", "auth_describe",
		"resource_type_id", "resource_type_name", "visit_type_id", "visit_type_name", "create_time",
		"auth_effective_time", "auth_expire_time", "reject_reason", "customer_id", "x_customer_id",
		"xcustomer_name", "content_of_auth_letter")
	timeRE := regexp.MustCompile(`^"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"$`)
	for key, want := range map[string]string{
		"id": `"` + f.bobAuth.ID + `"`, "status": "0", "incident_id": `"` + f.bobCase + `"`,
		"resource_type_id": `"2"`, "resource_type_name": `"华为云账号"`, "visit_type_id": `"4"`, "visit_type_name": `"控制台登录"`,
		"auth_effective_time": "null", "auth_expire_time": "null", "reject_reason": "null",
		"customer_id": `"` + f.acme.ID + `"`, "x_customer_id": `"` + f.bob.ID + `"`, "xcustomer_name": `"bob"`,
	} {
		if string(item[key]) != want {
			t.Errorf("%s = %s, want %s", key, item[key], want)
		}
	}
	if !timeRE.Match(item["create_time"]) {
		t.Errorf("create_time = %s, want an SDK time string", item["create_time"])
	}

	// X-Language switches the names; X-Time-Zone does not shift the UTC times.
	var en listAuthBody
	f.bob.Do("GET", authorizationsPath, nil, "X-Language", "en-us", "X-Time-Zone", "GMT-5").Expect(200).JSON(&en)
	if got := string(en.IncidentAuthList[0]["resource_type_name"]); got != `"Huawei Cloud account"` {
		t.Errorf("en-us resource_type_name = %s", got)
	}
	if got := string(en.IncidentAuthList[0]["visit_type_name"]); got != `"Console log-in"` {
		t.Errorf("en-us visit_type_name = %s", got)
	}
	if !bytes.Equal(en.IncidentAuthList[0]["create_time"], item["create_time"]) {
		t.Errorf("create_time changed with X-Time-Zone: %s vs %s", en.IncidentAuthList[0]["create_time"], item["create_time"])
	}

	// The seed's own example request.
	count, ids := listAuthIDs(t, f.bob, "?incident_id=test-123")
	if count != 0 || len(ids) != 0 {
		t.Errorf("incident_id=test-123: %d %v", count, ids)
	}
}

func TestListAuthorizationsPaging(t *testing.T) {
	f := newGrantFixture(t)
	var all []string
	all = append(all, f.bobAuth.ID)
	for range 11 {
		all = append(all, svcGrantRequest(t, f.eng, f.bobCase).ID)
	}
	count, ids := listAuthIDs(t, f.bob, "")
	if count != 12 || len(ids) != 10 {
		t.Fatalf("default page: count %d, %d items; want 12 and 10", count, len(ids))
	}
	count, ids2 := listAuthIDs(t, f.bob, "?offset=10&limit=10")
	if count != 12 || len(ids2) != 2 || !sameIDs(append(ids, ids2...), all...) {
		t.Errorf("second page: count %d ids %v", count, ids2)
	}
	if _, ids := listAuthIDs(t, f.bob, "?limit=1"); len(ids) != 1 {
		t.Errorf("limit=1 gave %d items", len(ids))
	}
}

// TestListAuthorizationsLimits checks every documented bound at the limit
// (accepted) and just past it (400 naming the parameter).
func TestListAuthorizationsLimits(t *testing.T) {
	f := newGrantFixture(t)
	u := f.bob
	for _, tc := range []struct {
		param string
		ok    string
		bad   []string
	}{
		{"offset", "65535", []string{"-1", "65536", "x", "1.5"}},
		{"offset", "0", nil},
		{"limit", "1", []string{"0", "101"}},
		{"limit", "100", nil},
		{"status", "0", []string{"-1", "11"}},
		{"status", "10", nil},
		{"sub_customer_name", strings.Repeat("n", 256), []string{strings.Repeat("n", 257)}},
		{"incident_id", strings.Repeat("i", 64), []string{strings.Repeat("i", 65)}},
		{"simple_description", strings.Repeat("描", 2000), []string{strings.Repeat("描", 2001)}},
	} {
		if tc.ok != "" {
			u.Do("GET", authorizationsPath+"?"+tc.param+"="+url.QueryEscape(tc.ok), nil).Expect(200)
		}
		for _, bad := range tc.bad {
			res := u.Do("GET", authorizationsPath+"?"+tc.param+"="+url.QueryEscape(bad), nil).ExpectError(400, "OSM.01010001")
			if !strings.Contains(string(res.Body), tc.param) {
				t.Errorf("%s=%s: error does not name the parameter: %s", tc.param, bad, res.Body)
			}
		}
	}
	// group_id: 64 characters is a (foreign) group id, 65 is malformed.
	u.Do("GET", authorizationsPath+"?group_id="+strings.Repeat("g", 64), nil).ExpectError(403, "OSM.01010002")
	u.Do("GET", authorizationsPath+"?group_id="+strings.Repeat("g", 65), nil).ExpectError(400, "OSM.01010001")
}

type authDetailBody struct {
	ID                     json.RawMessage              `json:"id"`
	Status                 int                          `json:"status"`
	IncidentID             string                       `json:"incident_id"`
	RejectReason           *string                      `json:"reject_reason"`
	AgencyName             *string                      `json:"agency_name"`
	AuthHandlerName        *string                      `json:"auth_handler_name"`
	AuthEffectiveTime      *string                      `json:"auth_effective_time"`
	AuthExpireTime         *string                      `json:"auth_expire_time"`
	IncidentAuthDetailList []map[string]json.RawMessage `json:"incident_auth_detail_list"`
	ContentTypeName        string                       `json:"content_type_name"`
}

func TestShowAuthorizationDetail(t *testing.T) {
	f := newGrantFixture(t)
	var raw map[string]json.RawMessage
	res := f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200)
	res.JSON(&raw)
	hasKeys(t, "detail", raw, "id", "status", "incident_id", "simple_description", "resource_type_id",
		"resource_type_name", "visit_type_id", "visit_type_name", "auth_effective_time", "auth_expire_time",
		"reject_reason", "incident_auth_detail_list", "xcustomer_name", "auth_handler_name", "agency_name",
		"auth_describe", "content_type_id", "content_type_name")
	var d authDetailBody
	res.JSON(&d)
	if string(d.ID) != `"`+f.bobAuth.ID+`"` {
		t.Errorf("id = %s, want a JSON string", d.ID)
	}
	if d.RejectReason != nil || d.AgencyName != nil || d.AuthHandlerName != nil || d.AuthEffectiveTime != nil {
		t.Errorf("pending authorization has non-null handler fields: %s", res.Body)
	}
	if d.ContentTypeName != "密钥" {
		t.Errorf("content_type_name = %q, want the zh-cn name", d.ContentTypeName)
	}
	if len(d.IncidentAuthDetailList) != 2 {
		t.Fatalf("detail list: %s", res.Body)
	}
	item := d.IncidentAuthDetailList[1]
	if want := fmt.Sprint(f.bobAuth.Details[1].ID); string(item["id"]) != want {
		t.Errorf("detail id = %s, want the JSON number %s", item["id"], want)
	}
	for key, want := range map[string]string{"port": "22", "account": `"root"`, "type": "1", "instance_id": `"i-0abc"`, "instance_name": `"web-1"`, "region_id": `"cn-south-1"`} {
		if string(item[key]) != want {
			t.Errorf("detail %s = %s, want %s", key, item[key], want)
		}
	}

	// The seed's example: a group the caller belongs to, in the query.
	f.alice.Do("GET", authorizationsPath+"/"+f.bobAuth.ID+"?group_id="+f.team, nil).Expect(200)
	// And the seed's literal example id and group: nothing of ours.
	f.alice.Do("GET", authorizationsPath+"/Auth-123456?group_id=123", nil).ExpectError(404, "OSM.01010001")

	// Path id bounds: 32 characters is an id (unknown), 33 is malformed.
	f.bob.Do("GET", authorizationsPath+"/"+strings.Repeat("A", 32), nil).ExpectError(404, "OSM.01010001")
	f.bob.Do("GET", authorizationsPath+"/"+strings.Repeat("A", 33), nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID+"?group_id="+strings.Repeat("g", 65), nil).ExpectError(400, "OSM.01010001")
}

// TestAuthorizationRoutesHideOtherAuthorizations sends every route that
// takes an authorization id the ids of another account, of another group,
// and ids reached through a group the caller is not in: each answer must
// be exactly the answer for an id that does not exist, and change nothing.
func TestAuthorizationRoutesHideOtherAuthorizations(t *testing.T) {
	f := newGrantFixture(t)
	now := f.env.Clock.Now()
	routes := []struct {
		name        string
		method, sub string
		body        func(a *casebook.Authorization) any
	}{
		{"detail", "GET", "", func(*casebook.Authorization) any { return nil }},
		{"confirm", "PUT", "", func(a *casebook.Authorization) any { return confirmBody(a, now, "pw-1") }},
		{"reject", "PUT", "/action?action_id=reject", func(*casebook.Authorization) any { return map[string]string{"reject_reason": "no"} }},
		{"cancel", "PUT", "/action?action_id=cancel", func(*casebook.Authorization) any { return map[string]string{} }},
	}
	withGroup := func(path, group string) string {
		if group == "" {
			return path
		}
		if strings.Contains(path, "?") {
			return path + "&group_id=" + group
		}
		return path + "?group_id=" + group
	}
	unknown := &casebook.Authorization{ID: unknownAuthorizationID, Details: []casebook.AuthDetail{{ID: 1}}}
	for _, rt := range routes {
		for _, tc := range []struct {
			name  string
			user  *testUser
			a     *casebook.Authorization
			group string
		}{
			{"other account", f.alice, f.otherAuth, ""},
			{"other account via own group", f.alice, f.otherAuth, f.team},
			{"other account's master", f.other.Master, f.bobAuth, ""},
			{"other account's group", f.xavier, f.bobAuth, f.otherGroup},
			{"another group's ticket", f.alice, f.carolAuth, f.team},
			{"a group she is not in", f.alice, f.carolAuth, f.ops},
			{"a sub-user without the group", f.alice, f.bobAuth, ""},
			{"another account's group id", f.alice, f.bobAuth, f.otherGroup},
		} {
			t.Run(rt.name+"/"+tc.name, func(t *testing.T) {
				before := authStatus(t, f.env, tc.a.ID)
				got := tc.user.Do(rt.method, withGroup(authorizationsPath+"/"+tc.a.ID+rt.sub, tc.group), rt.body(tc.a))
				missing := tc.user.Do(rt.method, withGroup(authorizationsPath+"/"+unknownAuthorizationID+rt.sub, tc.group), rt.body(unknown))
				if missing.Status != 404 || !bytes.Contains(missing.Body, []byte(`"OSM.01010001"`)) {
					t.Fatalf("unknown id: %d %s, want 404 OSM.01010001", missing.Status, missing.Body)
				}
				likeMissing(t, got, missing, tc.a.ID, unknownAuthorizationID)
				if after := authStatus(t, f.env, tc.a.ID); after != before {
					t.Errorf("status changed from %d to %d", before, after)
				}
			})
		}
	}
}

func TestConfirmAuthorizations(t *testing.T) {
	f := newGrantFixture(t)
	now := f.env.Clock.Now()

	// The seed example, literally: its body's group "test" is nobody's, so
	// the authorization is out of reach.
	seed := `{"auth_detail_list":[{"auth_detail_id":123,"port":80,"account":"test","password":"test"}],` +
		`"auth_effective_time":123,"auth_expire_time":123,"group_id":"test","agency_id":"test"}`
	f.alice.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID+"?group_id="+f.team, seed).ExpectError(404, "OSM.01010001")

	// The same shape with real values: the body's group_id wins over the
	// query's, and the answer is {}.
	body := confirmBody(f.bobAuth, now, "pw-seed")
	body["group_id"] = f.team
	body["agency_id"] = "ops-agency"
	res := f.alice.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID+"?group_id=123", body).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("confirm answered %s, want {}", res.Body)
	}
	var d authDetailBody
	f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200).JSON(&d)
	if d.Status != 1 || d.AuthHandlerName == nil || *d.AuthHandlerName != "alice" || d.AgencyName == nil || *d.AgencyName != "ops-agency" {
		t.Errorf("after confirm: %+v", d)
	}
	if d.AuthEffectiveTime == nil || *d.AuthEffectiveTime != formatTime(now) || d.AuthExpireTime == nil || *d.AuthExpireTime != formatTime(now.Add(time.Hour)) {
		t.Errorf("window: %v %v, want %s and an hour later", d.AuthEffectiveTime, d.AuthExpireTime, formatTime(now))
	}
	// Confirming twice is a conflict.
	f.alice.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID, body).ExpectError(409, "OSM.01010014")

	// group_id from the query when the body has none, as in the seed URL;
	// the password as a bare number, as in the seed's "response" example.
	a := svcGrantRequest(t, f.eng, f.bobCase)
	body = confirmBody(a, now, "")
	body["auth_detail_list"] = []map[string]any{{"auth_detail_id": a.Details[1].ID, "port": 2222, "account": "root", "password": 123456}}
	f.alice.Do("PUT", authorizationsPath+"/"+a.ID+"?group_id="+f.team, body).Expect(200)
	creds, err := f.env.Svc.ReadCredentials(context.Background(), svcPrincipal(t, f.eng), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].Password != "123456" || creds[0].Port != 2222 || creds[0].DetailID != a.Details[1].ID {
		t.Errorf("credentials = %+v", creds)
	}

	// A PUT without a body (the SDK with no body struct) is a clear 400.
	b := svcGrantRequest(t, f.eng, f.bobCase)
	res = f.bob.Do("PUT", authorizationsPath+"/"+b.ID, nil).ExpectError(400, "OSM.01010001")
	if !strings.Contains(string(res.Body), "auth_effective_time") {
		t.Errorf("empty body: %s", res.Body)
	}
	f.bob.Do("PUT", authorizationsPath+"/"+b.ID, "{not json").ExpectError(400, "OSM.0001")
	f.bob.Do("PUT", authorizationsPath+"/"+b.ID, `{"auth_effective_time":"soon"}`).ExpectError(400, "OSM.01010001")
	if authStatus(t, f.env, b.ID) != casebook.AuthStatusPending {
		t.Errorf("a refused confirmation changed the status")
	}
}

// TestConfirmAuthorizationsLimits checks each documented bound of the
// confirmation body at the limit and just past it. At the limit the
// request passes the HTTP checks (and succeeds, or fails on a business
// rule with another message); past it, it is a 400 naming the field.
func TestConfirmAuthorizationsLimits(t *testing.T) {
	f := newGrantFixture(t)
	now := f.env.Clock.Now()
	detail := func(a *casebook.Authorization, mod func(map[string]any)) map[string]any {
		body := confirmBody(a, now, "pw")
		item := body["auth_detail_list"].([]map[string]any)[0]
		mod(item)
		return body
	}
	for _, tc := range []struct {
		field string
		ok    func(map[string]any)
		bad   func(map[string]any)
	}{
		{"port", func(m map[string]any) { m["port"] = 1 }, func(m map[string]any) { m["port"] = 0 }},
		{"port", func(m map[string]any) { m["port"] = 65535 }, func(m map[string]any) { m["port"] = 65536 }},
		{"account", func(m map[string]any) { m["account"] = strings.Repeat("a", 64) }, func(m map[string]any) { m["account"] = strings.Repeat("a", 65) }},
		{"password", func(m map[string]any) { m["password"] = strings.Repeat("p", 10240) }, func(m map[string]any) { m["password"] = strings.Repeat("p", 10241) }},
		{"auth_detail_id", func(map[string]any) {}, func(m map[string]any) { delete(m, "auth_detail_id") }},
	} {
		a := svcGrantRequest(t, f.eng, f.bobCase)
		res := f.bob.Do("PUT", authorizationsPath+"/"+a.ID, detail(a, tc.bad)).ExpectError(400, "OSM.01010001")
		if !strings.Contains(string(res.Body), tc.field) {
			t.Errorf("%s past the limit: %s", tc.field, res.Body)
		}
		f.bob.Do("PUT", authorizationsPath+"/"+a.ID, detail(a, tc.ok)).Expect(200)
	}

	top := []struct {
		field      string
		ok, bad    any
		okIsFinal  bool // the value at the limit also succeeds
		badMessage string
	}{
		{"agency_id", strings.Repeat("y", 64), strings.Repeat("y", 65), true, "agency_id"},
		{"group_id", f.team, strings.Repeat("g", 65), true, "group_id"},
		// 0 and 2^63-1 are valid epoch milliseconds: a start in the past
		// means now; an end that far away breaks the longest-grant rule.
		{"auth_effective_time", 0, -1, true, "epoch milliseconds"},
		{"auth_expire_time", int64(9223372036854775807), json.RawMessage("9223372036854775808"), false, "integer"},
	}
	for _, tc := range top {
		a := svcGrantRequest(t, f.eng, f.bobCase)
		body := confirmBody(a, now, "pw")
		body[tc.field] = tc.bad
		res := f.bob.Do("PUT", authorizationsPath+"/"+a.ID, body).ExpectError(400, "OSM.01010001")
		if !strings.Contains(string(res.Body), tc.badMessage) {
			t.Errorf("%s past the limit: %s", tc.field, res.Body)
		}
		body[tc.field] = tc.ok
		res = f.bob.Do("PUT", authorizationsPath+"/"+a.ID, body)
		if tc.okIsFinal {
			res.Expect(200)
		} else if res.Status == 200 || strings.Contains(string(res.Body), tc.badMessage) {
			t.Errorf("%s at the limit: %d %s, want a window rule's error", tc.field, res.Status, res.Body)
		}
	}

	// auth_detail_list: 6 items pass the HTTP check (and meet the
	// Service's rule that an item is not given twice); 7 do not.
	a := svcGrantRequest(t, f.eng, f.bobCase)
	items := func(n int) []map[string]any {
		var out []map[string]any
		for range n {
			out = append(out, map[string]any{"auth_detail_id": a.Details[0].ID, "password": "pw"})
		}
		return out
	}
	body := confirmBody(a, now, "pw")
	body["auth_detail_list"] = items(7)
	res := f.bob.Do("PUT", authorizationsPath+"/"+a.ID, body).ExpectError(400, "OSM.01010001")
	if !strings.Contains(string(res.Body), "at most 6") {
		t.Errorf("7 items: %s", res.Body)
	}
	body["auth_detail_list"] = items(6)
	res = f.bob.Do("PUT", authorizationsPath+"/"+a.ID, body).ExpectError(400, "OSM.01010001")
	if !strings.Contains(string(res.Body), "twice") {
		t.Errorf("6 items: %s, want the Service's duplicate rule", res.Body)
	}
	body["auth_detail_list"] = []map[string]any{}
	body["agency_id"] = "agency-only"
	f.bob.Do("PUT", authorizationsPath+"/"+a.ID, body).Expect(200)
}

// TestConfirmNeverShowsPasswords confirms with a distinctive password and
// looks for it in every response and in the server log.
func TestConfirmNeverShowsPasswords(t *testing.T) {
	f := newGrantFixture(t)
	const secret = "Zq9-distinctive-PW-7781"
	now := f.env.Clock.Now()
	var bodies [][]byte
	keep := func(r *testResponse) *testResponse { bodies = append(bodies, r.Body); return r }

	keep(f.alice.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID+"?group_id="+f.team, confirmBody(f.bobAuth, now, secret)).Expect(200))
	// A refused confirmation carrying the password must not echo it either.
	bad := confirmBody(f.carolAuth, now, secret)
	bad["auth_detail_list"].([]map[string]any)[0]["port"] = 70000
	keep(f.carol.Do("PUT", authorizationsPath+"/"+f.carolAuth.ID, bad).ExpectError(400, "OSM.01010001"))
	bad = confirmBody(f.carolAuth, now, secret)
	bad["auth_detail_list"].([]map[string]any)[0]["auth_detail_id"] = 999999
	keep(f.carol.Do("PUT", authorizationsPath+"/"+f.carolAuth.ID, bad).ExpectError(400, "OSM.01010001"))
	keep(f.carol.Do("PUT", authorizationsPath+"/"+f.carolAuth.ID, `{"auth_detail_list":[{"auth_detail_id":1,"password":"`+secret+`"}],"auth_effective_time":"x"}`).ExpectError(400, "OSM.01010001"))

	for _, u := range []*testUser{f.bob, f.acme.Master} {
		keep(u.Do("GET", authorizationsPath, nil).Expect(200))
		keep(u.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200))
		keep(u.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil, "X-Language", "en-us").Expect(200))
	}
	keep(f.bob.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID+"/action?action_id=cancel", nil).Expect(200))
	keep(f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200))

	for _, b := range bodies {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("a response shows the password: %s", b)
		}
	}
	if strings.Contains(f.env.Logs.String(), secret) {
		t.Errorf("the server log shows the password")
	}
	if f.env.Logs.Len() == 0 {
		t.Fatal("the server logged nothing; the leak check would be empty")
	}
}

func TestUpdateAuthorizations(t *testing.T) {
	f := newGrantFixture(t)
	now := f.env.Clock.Now()
	path := func(a *casebook.Authorization, q string) string {
		return authorizationsPath + "/" + a.ID + "/action" + q
	}

	// The seed example: reject with a reason, group in the body.
	res := f.alice.Do("PUT", path(f.bobAuth, "?action_id=reject"), map[string]string{"reject_reason": "not now", "group_id": f.team}).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("reject answered %s", res.Body)
	}
	var d authDetailBody
	f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200).JSON(&d)
	if d.Status != casebook.AuthStatusRejected || d.RejectReason == nil || *d.RejectReason != "not now" {
		t.Errorf("after reject: %+v", d)
	}
	// Final statuses do not move.
	f.bob.Do("PUT", path(f.bobAuth, "?action_id=cancel"), nil).ExpectError(409, "OSM.01010014")
	f.bob.Do("PUT", path(f.bobAuth, "?action_id=reject"), map[string]string{"reject_reason": "x"}).ExpectError(409, "OSM.01010014")

	// Cancel a grant; the group may come from the query.
	a := svcGrantRequest(t, f.eng, f.bobCase)
	f.bob.Do("PUT", authorizationsPath+"/"+a.ID, confirmBody(a, now, "pw")).Expect(200)
	f.alice.Do("PUT", path(a, "?action_id=cancel&group_id="+f.team), nil).Expect(200)
	if st := authStatus(t, f.env, a.ID); st != casebook.AuthStatusCancelled {
		t.Errorf("after cancel: status %d", st)
	}

	// Missing, empty and unknown actions are OSM.01010018.
	b := svcGrantRequest(t, f.eng, f.bobCase)
	for _, q := range []string{"", "?action_id", "?action_id=", "?action_id=approve", "?action_id=REJECT", "?action_id=" + strings.Repeat("r", 17)} {
		f.bob.Do("PUT", path(b, q), map[string]string{"reject_reason": "x"}).ExpectError(400, "OSM.01010018")
	}
	// reject_reason: 1..300.
	for _, reason := range []string{"", strings.Repeat("r", 301)} {
		res := f.bob.Do("PUT", path(b, "?action_id=reject"), map[string]string{"reject_reason": reason}).ExpectError(400, "OSM.01010001")
		if !strings.Contains(string(res.Body), "reject_reason") {
			t.Errorf("reason %d chars: %s", len(reason), res.Body)
		}
	}
	f.bob.Do("PUT", path(b, "?action_id=reject"), map[string]string{"reject_reason": strings.Repeat("r", 300)}).Expect(200)
	c := svcGrantRequest(t, f.eng, f.bobCase)
	f.bob.Do("PUT", path(c, "?action_id=cancel"), map[string]string{"group_id": strings.Repeat("g", 65)}).ExpectError(400, "OSM.01010001")
	f.bob.Do("PUT", authorizationsPath+"/"+strings.Repeat("A", 33)+"/action?action_id=cancel", nil).ExpectError(400, "OSM.01010001")
	if authStatus(t, f.env, c.ID) != casebook.AuthStatusPending {
		t.Errorf("a refused action changed the status")
	}
}

// hasKeys fails unless the JSON object has every key.
func hasKeys(t *testing.T, what string, obj map[string]json.RawMessage, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s has no %q", what, k)
		}
	}
}

// likeMissing fails unless got is the answer for an unknown id: the same
// status and, with each id replaced, the same body.
func likeMissing(t *testing.T, got, missing *testResponse, id, missingID string) {
	t.Helper()
	norm := strings.ReplaceAll(string(got.Body), id, "ID")
	want := strings.ReplaceAll(string(missing.Body), missingID, "ID")
	if got.Status != missing.Status || norm != want {
		t.Errorf("got %d %s, want what an unknown id gets: %d %s", got.Status, got.Body, missing.Status, missing.Body)
	}
}

// goldenIDs replaces generated ids and times in a JSON body and indents it
// (keeping the wire's key order), for golden files.
func goldenIDs(t *testing.T, body []byte, names map[string]string) []byte {
	t.Helper()
	s := string(body)
	for id, name := range names {
		s = strings.ReplaceAll(s, id, name)
	}
	s = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"`).ReplaceAllString(s, `"TIME"`)
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(s), "", "  "); err != nil {
		t.Fatalf("indent %s: %v", s, err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestAuthorizationSeedGolden pins the bodies of the three authorization
// seeds.
func TestAuthorizationSeedGolden(t *testing.T) {
	f := newGrantFixture(t)
	now := f.env.Clock.Now()
	names := map[string]string{
		f.bobAuth.ID: "AUTHORIZATION_ID", f.bobCase: "CASE_ID", f.acme.ID: "ACCOUNT_ID", f.bob.ID: "USER_ID",
	}
	expectGolden(t, "list_authorizations", goldenIDs(t, f.bob.Do("GET", authorizationsPath+"?incident_id="+f.bobCase, nil).Expect(200).Body, names))
	expectGolden(t, "show_authorization_detail", goldenIDs(t, f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil).Expect(200).Body, names))
	body := confirmBody(f.bobAuth, now, "pw")
	body["agency_id"] = "ops-agency"
	expectGolden(t, "confirm_authorizations", goldenIDs(t, f.bob.Do("PUT", authorizationsPath+"/"+f.bobAuth.ID, body).Expect(200).Body, names))
	expectGolden(t, "show_authorization_detail_confirmed_en", goldenIDs(t, f.bob.Do("GET", authorizationsPath+"/"+f.bobAuth.ID, nil, "X-Language", "en-us").Expect(200).Body, names))
}
