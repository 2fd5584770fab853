package http

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

const casesPath = "/v2/servicerequest/cases"

// caseViaAPI opens a consultation ticket as u and returns its id.
func caseViaAPI(u *testUser, description string, headers ...string) string {
	u.env.t.Helper()
	var out struct {
		IncidentID string `json:"incident_id"`
	}
	u.Do("POST", casesPath, map[string]any{
		"business_type_id":   "1",
		"simple_description": description,
		"source_id":          casebook.SourceAPI,
	}, headers...).Expect(200).JSON(&out)
	if out.IncidentID == "" {
		u.env.t.Fatalf("CreateCases returned no incident_id")
	}
	return out.IncidentID
}

// inSubtest makes r report failures to t, a subtest, instead of the test
// its user was created in.
func (r *testResponse) inSubtest(t testing.TB) *testResponse {
	r.t = t
	return r
}

// requireKeys fails unless the JSON object has every key.
func requireKeys(t *testing.T, what string, obj map[string]json.RawMessage, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s lacks %q: %v", what, k, keysOf(obj))
		}
	}
}

func keysOf(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

type caseDetailBody struct {
	Detail struct {
		IncidentID           string               `json:"incident_id"`
		Status               int                  `json:"status"`
		Judgement            string               `json:"judgement"`
		IncidentSatisfaction []satisfactionRecord `json:"incident_satisfaction"`
		BusinessTypeName     string               `json:"business_type_name"`
		IncidentTypeName     string               `json:"incident_type_name"`
		SourceName           string               `json:"source_name"`
		SeverityName         string               `json:"severity_name"`
		CustomerID           string               `json:"customer_id"`
		XCustomerID          string               `json:"xcustomer_id"`
		XCustomerName        string               `json:"xcustomer_name"`
		DCName               string               `json:"dc_name"`
		SimpleDescription    string               `json:"simple_description"`
		CreateTime           string               `json:"create_time"`
		ResolveTime          *int64               `json:"resolve_time"`
		MessageList          []msgJS              `json:"message_list"`
		ExtInfo              struct {
			RemindMobile string `json:"remind_mobile"`
			RemindMail   string `json:"remind_mail"`
			RemindTime   string `json:"remind_time"`
			AreaCode     string `json:"area_code"`
		} `json:"ext_info"`
	} `json:"incident_detail_info"`
}

type msgJS struct {
	Type           int    `json:"type"`
	Replier        string `json:"replier"`
	ReplierName    string `json:"replier_name"`
	Content        string `json:"content"`
	MessageID      string `json:"message_id"`
	CreateTime     string `json:"create_time"`
	IsFirstMessage int    `json:"is_first_message"`
	AccessoryList  []struct {
		AccessoryID    string `json:"accessory_id"`
		FileActualName string `json:"file_actual_name"`
	} `json:"accessory_list"`
}

func TestCaseCreateAndShowDetail(t *testing.T) {
	env := newTestEnv(t)
	acc := env.Account("acme")
	alice := acc.User("alice")

	var created struct {
		IncidentID string `json:"incident_id"`
	}
	alice.Do("POST", casesPath, map[string]any{
		"incident_sub_type_id": "3",
		"product_category_id":  "b5f0be5c9639466184abf80e01f9fa1d",
		"business_type_id":     "2",
		"region_id":            "cn-south-1",
		"simple_description":   "The database is slow.",
		"source_id":            casebook.SourceAPI,
		"remind_mobile":        "13800000000",
		"remind_mail":          "ops@example.com",
		"remind_time":          "09:00-18:00",
		"project_id":           "p1",
		"severity_id":          "2",
		"area_code":            "86",
		"verify_code":          "123456",
		"extends_map":          map[string]any{"env": "prod", "nodes": 3},
		"extension_map":        map[string]any{"x": true},
	}, "x-phone-verifiedid", "v1").Expect(200).JSON(&created)

	res := alice.Do("GET", casesPath+"/"+created.IncidentID, nil, "X-Language", "en-us").Expect(200)
	var raw map[string]map[string]json.RawMessage
	res.JSON(&raw)
	// Every non-pointer field of the SDK's IncidentDetailInfoV2.
	requireKeys(t, "incident_detail_info", raw["incident_detail_info"], "status", "judgement", "business_type_name",
		"incident_type_name", "customer_id", "dc_name", "simple_description", "source_name", "create_time",
		"message_list", "incident_satisfaction", "is_authorized")
	if _, ok := raw["incident_detail_info"]["resolve_time"]; ok {
		t.Errorf("resolve_time present on an open ticket: %s", res.Body)
	}

	var d caseDetailBody
	res.JSON(&d)
	got := d.Detail
	if got.IncidentID != created.IncidentID || got.Status != 0 || got.CustomerID != acc.ID ||
		got.XCustomerID != alice.ID || got.XCustomerName != "alice" || got.DCName != "cn-south-1" ||
		got.SimpleDescription != "The database is slow." {
		t.Errorf("detail = %+v", got)
	}
	if got.BusinessTypeName != "Fault report" || got.IncidentTypeName != "Performance problem" ||
		got.SourceName != "API" || got.SeverityName != "Major" {
		t.Errorf("en-us names = %q %q %q %q", got.BusinessTypeName, got.IncidentTypeName, got.SourceName, got.SeverityName)
	}
	if got.ExtInfo.RemindMobile != "13800000000" || got.ExtInfo.RemindMail != "ops@example.com" ||
		got.ExtInfo.RemindTime != "09:00-18:00" || got.ExtInfo.AreaCode != "86" {
		t.Errorf("ext_info = %+v", got.ExtInfo)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", got.CreateTime); err != nil {
		t.Errorf("create_time %q: %v", got.CreateTime, err)
	}
	if len(got.MessageList) != 1 {
		t.Fatalf("message_list = %+v", got.MessageList)
	}
	m := got.MessageList[0]
	if m.IsFirstMessage != 1 || m.Type != 0 || m.Content != "The database is slow." || m.Replier != alice.ID ||
		m.ReplierName != "alice" || m.MessageID == "" || m.AccessoryList == nil {
		t.Errorf("first message = %+v", m)
	}

	// zh-cn is the default language.
	res = alice.Do("GET", casesPath+"/"+created.IncidentID, nil)
	res.JSON(&d)
	if d.Detail.BusinessTypeName != "故障报告" || d.Detail.IncidentTypeName != "性能问题" || d.Detail.SeverityName != "严重" {
		t.Errorf("zh-cn names = %q %q %q", d.Detail.BusinessTypeName, d.Detail.IncidentTypeName, d.Detail.SeverityName)
	}
	res = alice.Do("GET", casesPath+"/"+created.IncidentID, nil, "X-Language", "zh-cn")
	res.JSON(&d)
	if d.Detail.BusinessTypeName != "故障报告" {
		t.Errorf("zh-cn business_type_name = %q", d.Detail.BusinessTypeName)
	}

	var status struct {
		Status *int `json:"status"`
	}
	alice.Do("GET", casesPath+"/"+created.IncidentID+"/status", nil).Expect(200).JSON(&status)
	if status.Status == nil || *status.Status != 0 {
		t.Errorf("status = %v", status.Status)
	}
}

func TestCaseCreateLimits(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	// Ids at their length bounds exist only if the operator says so.
	importDictionaries(t, env, func(d *casebook.Dictionaries) {
		d.CaseCategories = append(d.CaseCategories, casebook.DictItem{ID: strings.Repeat("x", 32), Name: casebook.Names{ZhCN: "x", EnUS: "x"}})
		d.Regions = append(d.Regions, casebook.DictItem{ID: strings.Repeat("r", 64), Name: casebook.Names{ZhCN: "r", EnUS: "r"}})
	})

	base := func() map[string]any {
		return map[string]any{"business_type_id": "1", "simple_description": "d", "source_id": casebook.SourceAPI}
	}
	with := func(k string, v any) map[string]any {
		b := base()
		b[k] = v
		return b
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		ok   bool
		code string
	}{
		{"description at 2000", with("simple_description", strings.Repeat("描", 2000)), true, ""},
		{"description at 2001", with("simple_description", strings.Repeat("描", 2001)), false, "OSM.01010001"},
		{"description blank", with("simple_description", "  "), false, "OSM.01010001"},
		{"business type missing", with("business_type_id", ""), false, "OSM.01010001"},
		{"business type at 513", with("business_type_id", strings.Repeat("1", 513)), false, "OSM.01010001"},
		{"unknown severity", with("severity_id", "99"), false, "OSM.01010006"},
		{"fault report without region", with("business_type_id", "2"), false, "OSM.01010001"},
		{"sub type at 32", with("incident_sub_type_id", strings.Repeat("x", 32)), true, ""},
		{"sub type at 33", with("incident_sub_type_id", strings.Repeat("x", 33)), false, "OSM.01010001"},
		{"product category at 65", with("product_category_id", strings.Repeat("x", 65)), false, "OSM.01010001"},
		{"region at 64", with("region_id", strings.Repeat("r", 64)), true, ""},
		{"region at 65", with("region_id", strings.Repeat("r", 65)), false, "OSM.01010001"},
		{"unknown region", with("region_id", "mars-1"), false, "Unknown region_id"},
		{"unknown product", with("product_category_id", "nope"), false, "Unknown product_category_id"},
		{"unknown sub type", with("incident_sub_type_id", "99"), false, "Unknown incident_sub_type_id"},
		{"unknown problem type", with("business_type_id", "99"), false, "Unknown business_type_id"},
		{"source at 33", with("source_id", strings.Repeat("s", 33)), false, "OSM.01010001"},
		{"mobile at 32", with("remind_mobile", strings.Repeat("1", 32)), true, ""},
		{"mobile at 33", with("remind_mobile", strings.Repeat("1", 33)), false, "OSM.01010001"},
		{"mail at 128", with("remind_mail", strings.Repeat("m", 128)), true, ""},
		{"mail at 129", with("remind_mail", strings.Repeat("m", 129)), false, "OSM.01010001"},
		{"remind time at 17", with("remind_time", strings.Repeat("0", 17)), false, "OSM.01010001"},
		{"project at 65", with("project_id", strings.Repeat("p", 65)), false, "OSM.01010001"},
		{"verify code at 33", with("verify_code", strings.Repeat("v", 33)), false, "OSM.01010001"},
		{"accessory id at 65", with("accessory_ids", []string{strings.Repeat("a", 65)}), false, "OSM.01010001"},
		{"unknown accessory", with("accessory_ids", []string{"AC0000"}), false, "OSM.01010001"},
		{"too many accessories", with("accessory_ids", []string{"1", "2", "3", "4", "5", "6"}), false, "OSM.01010001"},
		{"extends value at 2001", with("extends_map", map[string]any{"k": strings.Repeat("v", 2001)}), false, "OSM.01010001"},
		{"wrong type", with("simple_description", 5), false, "OSM.01010001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := u.Do("POST", casesPath, tc.body).inSubtest(t)
			if tc.ok {
				res.Expect(200)
			} else if res.Status < 400 || !strings.Contains(string(res.Body), tc.code) {
				t.Fatalf("status %d body %s, want an error %s", res.Status, res.Body, tc.code)
			}
		})
	}
	// Not JSON at all: the framework-level code.
	u.Do("POST", casesPath, "{").ExpectError(400, "OSM.0001")
	// The verified-contact headers: 1..32 characters.
	u.Do("POST", casesPath, base(), "x-email-verifiedid", strings.Repeat("e", 32)).Expect(200)
	u.Do("POST", casesPath, base(), "x-email-verifiedid", strings.Repeat("e", 33)).ExpectError(400, "OSM.01010001")
}

type listCasesBody struct {
	TotalCount *int `json:"total_count"`
	List       []struct {
		IncidentID       string `json:"incident_id"`
		Status           int    `json:"status"`
		BusinessTypeName string `json:"business_type_name"`
		XCustomerName    string `json:"xcustomer_name"`
		CreateTime       string `json:"create_time"`
	} `json:"incident_info_list"`
}

func listCaseIDs(t *testing.T, u *testUser, query string, headers ...string) (int, []string) {
	t.Helper()
	var out listCasesBody
	u.Do("GET", casesPath+query, nil, headers...).inSubtest(t).Expect(200).JSON(&out)
	if out.TotalCount == nil {
		t.Fatalf("no total_count")
	}
	ids := []string{}
	for _, c := range out.List {
		ids = append(ids, c.IncidentID)
	}
	return *out.TotalCount, ids
}

func TestCaseListFilters(t *testing.T) {
	env := newTestEnv(t)
	acc := env.Account("acme")
	alice, bob := acc.User("alice"), acc.User("bob")
	c1 := caseViaAPI(alice, "disk full on node alpha")
	env.Clock.Advance(time.Second)
	c2 := caseViaAPI(alice, "network slow alpha")
	env.Clock.Advance(time.Second)
	c3 := caseViaAPI(bob, "disk slow beta")

	// Every SDK "required" field of IncidentInfoV2 is present.
	res := acc.Master.Do("GET", casesPath, nil).Expect(200)
	var raw struct {
		List []map[string]json.RawMessage `json:"incident_info_list"`
	}
	res.JSON(&raw)
	if len(raw.List) != 3 {
		t.Fatalf("master sees %d tickets: %s", len(raw.List), res.Body)
	}
	for _, item := range raw.List {
		requireKeys(t, "incident_info_list item", item, "status", "incident_id", "business_type_name",
			"incident_type_name", "customer_id", "dc_name", "simple_description", "create_time")
	}

	for _, tc := range []struct {
		name, query string
		want        []string // newest first
	}{
		{"all", "", []string{c3, c2, c1}},
		{"search_key repeated", "?search_key=disk&search_key=alpha", []string{c1}},
		{"search_key space-separated", "?search_key=" + url.QueryEscape("slow alpha"), []string{c2}},
		{"search_key bare", "?search_key", []string{c3, c2, c1}},
		{"app_key matches description", "?app_key=beta", []string{c3}},
		{"app_key matches id", "?app_key=" + c2, []string{c2}},
		{"incident_id", "?incident_id=" + c1, []string{c1}},
		{"incident_id bare", "?incident_id", []string{c3, c2, c1}},
		{"status", "?status=0", []string{c3, c2, c1}},
		{"status none", "?status=3", []string{}},
		{"incident_status list", "?incident_status=1,0", []string{c3, c2, c1}},
		{"x_customer_name", "?x_customer_name=bob", []string{c3}},
		{"x_customer_id", "?x_customer_id=" + alice.ID, []string{c2, c1}},
		{"offset", "?offset=1&limit=1", []string{c2}},
		{"offset at 65535", "?offset=65535", []string{}},
		{"limit at 100", "?limit=100", []string{c3, c2, c1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ids := listCaseIDs(t, acc.Master, tc.query)
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("ids = %v, want %v", ids, tc.want)
			}
		})
	}
	total, _ := listCaseIDs(t, acc.Master, "?offset=1&limit=1")
	if total != 3 {
		t.Errorf("total_count with a page = %d, want 3", total)
	}

	for _, q := range []string{
		"?offset=65536", "?offset=-1", "?limit=101", "?limit=-1", "?limit=x", "?status=31",
		"?label_id_list=1,2,3,4,5,6", "?label_id_list=1", "?search_key=" + strings.Repeat("k", 65),
		"?search_key=" + url.QueryEscape(strings.TrimSpace(strings.Repeat("k ", 33))),
		"?app_key=" + strings.Repeat("a", 65), "?incident_id=" + strings.Repeat("i", 65),
		"?x_customer_name=" + strings.Repeat("n", 65), "?group_id=" + strings.Repeat("g", 65),
		"?incident_status=a", "?query_start_time=yesterday",
		"?query_start_time=" + strings.Repeat("1", 33),
	} {
		acc.Master.Do("GET", casesPath+q, nil).ExpectError(400, "OSM.01010001")
	}
	// Bounds that pass.
	for _, q := range []string{"app_key", "incident_id", "x_customer_id", "x_customer_name"} {
		if total, _ := listCaseIDs(t, acc.Master, "?"+q+"="+strings.Repeat("z", 64)); total != 0 {
			t.Errorf("%s at 64 matched %d tickets", q, total)
		}
	}
	// A group_id of 64 characters passes the length check and is then
	// refused as a group the caller is not in.
	acc.Master.Do("GET", casesPath+"?group_id="+strings.Repeat("g", 64), nil).ExpectError(403, "OSM.01010002")
	listCaseIDs(t, acc.Master, "?query_start_time="+url.QueryEscape("2024-01-02T03:04:05.123+08:00"))
	listCaseIDs(t, acc.Master, "?search_key="+strings.Repeat("k", 64))
	listCaseIDs(t, acc.Master, "?search_key="+url.QueryEscape(strings.TrimSpace(strings.Repeat("k ", 32))))
	listCaseIDs(t, acc.Master, "?status=30")

	// A sub-user sees their own tickets only.
	_, ids := listCaseIDs(t, bob, "")
	if fmt.Sprint(ids) != fmt.Sprint([]string{c3}) {
		t.Errorf("bob sees %v", ids)
	}
}

func TestCaseListDefaultLimit(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	for i := 0; i < 11; i++ {
		caseViaAPI(u, fmt.Sprintf("ticket %d", i))
	}
	total, ids := listCaseIDs(t, u, "?limit=0")
	if total != 11 || len(ids) != 10 {
		t.Errorf("limit=0: total %d, %d items; want 11 and the default page of 10", total, len(ids))
	}
	if _, ids = listCaseIDs(t, u, ""); len(ids) != 10 {
		t.Errorf("no limit: %d items, want 10", len(ids))
	}
}

func TestCaseListTimeZone(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	id := caseViaAPI(u, "timed")
	var out listCasesBody
	u.Do("GET", casesPath, nil).Expect(200).JSON(&out)
	created, err := time.Parse("2006-01-02T15:04:05.000Z", out.List[0].CreateTime)
	if err != nil {
		t.Fatal(err)
	}
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	second := created.Truncate(time.Second)
	wall8 := url.QueryEscape(second.In(gmt8).Format("2006-01-02 15:04:05"))

	for _, tc := range []struct {
		name, query string
		headers     []string
		found       bool
	}{
		// The same wall-clock string means different instants in different zones.
		{"start in GMT+8 (default)", "?query_start_time=" + wall8, nil, true},
		{"start in GMT+8 (header)", "?query_start_time=" + wall8, []string{"X-Time-Zone", "GMT+8"}, true},
		{"start read as GMT+0 is 8h later", "?query_start_time=" + wall8, []string{"X-Time-Zone", "GMT+0"}, false},
		{"start read as GMT+9 is 1h earlier", "?query_start_time=" + wall8, []string{"X-Time-Zone", "GMT+9"}, true},
		{"end in GMT+8 covers the whole second", "?query_end_time=" + wall8, nil, true},
		{"end read as GMT+9 is 1h earlier", "?query_end_time=" + wall8, []string{"X-Time-Zone", "GMT+9"}, false},
		{"IANA zone", "?query_start_time=" + wall8, []string{"X-Time-Zone", "Asia/Shanghai"}, true},
		{"RFC 3339 carries its own offset", "?query_start_time=" + url.QueryEscape(second.Format(time.RFC3339)), []string{"X-Time-Zone", "GMT-5"}, true},
		{"RFC 3339 one second later", "?query_start_time=" + url.QueryEscape(second.Add(time.Second).Format(time.RFC3339)), nil, false},
		{"epoch ms", fmt.Sprintf("?query_start_time=%d&query_end_time=%d", created.UnixMilli(), created.UnixMilli()), nil, true},
		{"epoch ms after", fmt.Sprintf("?query_start_time=%d", created.UnixMilli()+1), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ids := listCaseIDs(t, u, tc.query, tc.headers...)
			if found := len(ids) == 1 && ids[0] == id; found != tc.found {
				t.Errorf("found = %v, want %v (ids %v)", found, tc.found, ids)
			}
		})
	}
	later := url.QueryEscape(second.Add(time.Hour).In(gmt8).Format("2006-01-02 15:04:05"))
	u.Do("GET", casesPath+"?query_start_time="+later+"&query_end_time="+wall8, nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", casesPath, nil, "X-Time-Zone", "Mars/Olympus").ExpectError(400, "OSM.01010001")
}

// TestCaseRoutesHideOtherTickets probes every route that takes a ticket
// id with ids and groups outside the caller's view: each answer must be
// the one for an id that does not exist.
func TestCaseRoutesHideOtherTickets(t *testing.T) {
	env := newTestEnv(t)
	acme, other := env.Account("acme"), env.Account("other")
	alice, bob, carol := acme.User("alice"), acme.User("bob"), acme.User("carol")
	team := acme.Group("team", alice, bob)
	ops := acme.Group("ops", carol)
	otherGroup := other.Group("x", other.User("xavier"))

	bobCase := caseViaAPI(bob, "bob's ticket")
	carolCase := caseViaAPI(carol, "carol's ticket")
	otherCase := caseViaAPI(other.Master, "another account's ticket")

	type probe struct {
		method, path string
		body         any
	}
	routes := func(id, group string) []probe {
		q := ""
		if group != "" {
			q = "?group_id=" + group
		}
		return []probe{
			{"GET", casesPath + "/" + id + q, nil},
			{"GET", casesPath + "/" + id + "/status" + q, nil},
			{"GET", casesPath + "/" + id + "/messages" + q, nil},
			{"POST", casesPath + "/" + id + "/message", map[string]any{"group_id": group, "message": map[string]any{"content": "hi"}}},
			{"POST", casesPath + "/" + id + "/action?action_id=press", map[string]any{"group_id": group}},
		}
	}
	missing := routes("CS20200101NOTEXISTING0", team)
	for _, tc := range []struct {
		name  string
		user  *testUser
		id    string
		group string
	}{
		{"another account's ticket", other.Master, bobCase, ""},
		{"another account's ticket, own group", other.Master, bobCase, otherGroup},
		{"another account's ticket as master of acme", acme.Master, otherCase, ""},
		{"another group's ticket", alice, carolCase, team},
		{"a group the caller is not in", alice, carolCase, ops},
		{"a group the caller is not in, own ticket's group", carol, bobCase, team},
		{"another account's group", alice, bobCase, otherGroup},
		{"a group that does not exist", alice, bobCase, "0123456789abcdef0123456789abcdef"},
		{"a group member's ticket without group_id", alice, bobCase, ""},
		{"an id longer than any id", alice, strings.Repeat("C", 65), team},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, p := range routes(tc.id, tc.group) {
				want := alice.Do(missing[i].method, missing[i].path, missing[i].body).inSubtest(t).ExpectError(404, "OSM.01010015")
				got := tc.user.Do(p.method, p.path, p.body)
				if got.Status != want.Status || string(got.Body) != string(want.Body) {
					t.Errorf("%s %s: %d %s, want %d %s", p.method, p.path, got.Status, got.Body, want.Status, want.Body)
				}
			}
		})
	}

	// The positive control: the group names bob's ticket for alice.
	for _, p := range routes(bobCase, team) {
		alice.Do(p.method, p.path, p.body).Expect(200)
	}
	// ListCases (no id) refuses a group the caller is not in outright.
	alice.Do("GET", casesPath+"?group_id="+ops, nil).ExpectError(403, "OSM.01010002")
	_, ids := listCaseIDs(t, alice, "?group_id="+team)
	if fmt.Sprint(ids) != fmt.Sprint([]string{bobCase}) {
		t.Errorf("alice with the team group lists %v", ids)
	}
}

func TestCaseUpdateActions(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	id := caseViaAPI(u, "urgent")
	action := func(a string, body any) *testResponse {
		return u.Do("POST", casesPath+"/"+id+"/action?action_id="+a, body)
	}

	action("press", nil).Expect(200)
	action("press", nil).ExpectError(429, "OSM.01010004")
	env.Clock.Advance(env.Svc.Config.UrgeInterval)
	action("press", map[string]any{}).Expect(200)

	action("archive", nil).ExpectError(400, "OSM.01010013")
	u.Do("POST", casesPath+"/"+id+"/action", nil).ExpectError(400, "OSM.01010013")
	u.Do("POST", casesPath+"/"+id+"/action?action_id", nil).ExpectError(400, "OSM.01010013")
	action(strings.Repeat("a", 64), nil).ExpectError(400, "OSM.01010013")
	action(strings.Repeat("a", 65), nil).ExpectError(400, "OSM.01010001")

	sat := func(n int, item map[string]any) map[string]any {
		list := make([]map[string]any, n)
		for i := range list {
			list[i] = item
		}
		return map[string]any{"incident_satisfaction_list": list}
	}
	good := map[string]any{"satisfaction_id": 1, "satisfaction_value": 1}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"judgement at 401", map[string]any{"judgement": strings.Repeat("j", 401)}},
		{"operate_desc at 401", map[string]any{"operate_desc": strings.Repeat("o", 401)}},
		{"group_id at 65", map[string]any{"group_id": strings.Repeat("g", 65)}},
		{"101 satisfaction items", sat(101, good)},
		{"satisfaction_id missing", sat(1, map[string]any{"satisfaction_value": 1})},
		{"satisfaction_value missing", sat(1, map[string]any{"satisfaction_id": 1})},
		{"satisfaction_id at 10000", sat(1, map[string]any{"satisfaction_id": 10000, "satisfaction_value": 1})},
		{"satisfaction_value at 65536", sat(1, map[string]any{"satisfaction_id": 1, "satisfaction_value": 65536})},
		{"satisfaction_name at 33", sat(1, map[string]any{"satisfaction_id": 1, "satisfaction_value": 1, "satisfaction_name": strings.Repeat("n", 33)})},
		{"satisfaction_id not an integer", sat(1, map[string]any{"satisfaction_id": 1.5, "satisfaction_value": 1})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Clock.Advance(env.Svc.Config.UrgeInterval)
			action("press", tc.body).inSubtest(t).ExpectError(400, "OSM.01010001")
		})
	}

	// close at the bounds: the ticket ends, with judgement, resolve time
	// and 100 scores at their highest ids, values and name lengths, which
	// the operator's dimensions must allow.
	importDictionaries(t, env, func(d *casebook.Dictionaries) {
		for i := 0; i < casebook.MaxSatisfactions; i++ {
			name := fmt.Sprintf("%032d", i)
			d.SatisfactionDimensions = append(d.SatisfactionDimensions, casebook.SatisfactionDimension{
				ID: casebook.MaxSatisfactionID - i, Name: casebook.Names{ZhCN: name, EnUS: name}, MaxValue: casebook.MaxSatisfactionValue,
			})
		}
	})
	list := make([]map[string]any, casebook.MaxSatisfactions)
	for i := range list {
		list[i] = map[string]any{"satisfaction_id": casebook.MaxSatisfactionID - i, "satisfaction_value": 65535, "value": 65535, "satisfaction_name": fmt.Sprintf("%032d", i)}
	}
	body := map[string]any{"incident_satisfaction_list": list}
	body["judgement"] = strings.Repeat("好", 400)
	body["operate_desc"] = strings.Repeat("d", 400)
	action("close", body).Expect(200)
	var d caseDetailBody
	u.Do("GET", casesPath+"/"+id, nil).Expect(200).JSON(&d)
	if n := len(d.Detail.IncidentSatisfaction); n != casebook.MaxSatisfactions {
		t.Errorf("after close: %d scores shown, want %d", n, casebook.MaxSatisfactions)
	} else if sc := d.Detail.IncidentSatisfaction[0]; sc.SatisfactionID != casebook.MaxSatisfactionID-casebook.MaxSatisfactions+1 || sc.SatisfactionValue != 65535 {
		t.Errorf("first score shown: %+v", sc)
	}
	if d.Detail.Status != casebook.CaseStatusCompleted || d.Detail.Judgement != strings.Repeat("好", 400) {
		t.Errorf("after close: status %d judgement %q", d.Detail.Status, d.Detail.Judgement)
	}
	if d.Detail.ResolveTime == nil || *d.Detail.ResolveTime != env.Clock.Now().UnixMilli() {
		t.Errorf("resolve_time = %v, want %d", d.Detail.ResolveTime, env.Clock.Now().UnixMilli())
	}
	var status struct{ Status int }
	u.Do("GET", casesPath+"/"+id+"/status", nil).Expect(200).JSON(&status)
	if status.Status != casebook.CaseStatusCompleted {
		t.Errorf("status = %d", status.Status)
	}
	action("press", nil).ExpectError(409, "OSM.01010014")

	action("delete", nil).Expect(200)
	u.Do("GET", casesPath+"/"+id, nil).ExpectError(404, "OSM.01010015")
	if total, _ := listCaseIDs(t, u, ""); total != 0 {
		t.Errorf("deleted ticket still listed")
	}
}

func TestMessageCreateAndList(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	id := caseViaAPI(u, "first")
	post := func(body any) *testResponse {
		env.Clock.Advance(time.Millisecond) // distinct times keep the order certain
		return u.Do("POST", casesPath+"/"+id+"/message", body)
	}
	msg := func(content string, ids ...string) map[string]any {
		if ids == nil {
			ids = []string{}
		}
		return map[string]any{"message": map[string]any{"content": content, "accessory_ids": ids}}
	}

	post(msg(strings.Repeat("言", 10000))).Expect(200)
	post(msg(strings.Repeat("言", 10001))).ExpectError(400, "OSM.01010001")
	post(msg("")).ExpectError(400, "OSM.01010001")
	post(map[string]any{"message": nil}).ExpectError(400, "OSM.01010001")
	post(nil).ExpectError(400, "OSM.01010001")
	post(msg("x", strings.Repeat("a", 32))).ExpectError(404, "OSM.01010001")
	post(msg("x", strings.Repeat("a", 33))).ExpectError(400, "OSM.01010001")
	post(msg("x", "")).ExpectError(400, "OSM.01010001")
	post(msg("x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")).ExpectError(400, "OSM.01010001")
	post(msg("x", "AC0000000000000000")).ExpectError(404, "OSM.01010001")
	post(map[string]any{"group_id": strings.Repeat("g", 65), "message": map[string]any{"content": "x"}}).ExpectError(400, "OSM.01010001")

	// Empty content is fine when the message carries a file.
	file := uploadViaAPI(u, "trace.log", []byte("trace"))
	post(msg("", file)).Expect(200)
	// The doc example's shape, with the SDK's trailing newline.
	post(`{"group_id":"","message":{"content":"test","accessory_ids":[]}}` + "\n").Expect(200)

	var list struct {
		Count       *int    `json:"count"`
		MessageList []msgJS `json:"message_list"`
	}
	u.Do("GET", casesPath+"/"+id+"/messages", nil).Expect(200).JSON(&list)
	if list.Count == nil || *list.Count != 4 || len(list.MessageList) != 4 {
		t.Fatalf("count %v, %d messages", list.Count, len(list.MessageList))
	}
	if m := list.MessageList[0]; m.IsFirstMessage != 1 || m.Content != "first" || m.Replier != u.ID || m.ReplierName != "admin" {
		t.Errorf("first = %+v", m)
	}
	if m := list.MessageList[1]; m.IsFirstMessage != 0 || len(m.Content) != 30000 || m.MessageID == "" {
		t.Errorf("second: first=%d, %d bytes", m.IsFirstMessage, len(m.Content))
	}
	if m := list.MessageList[2]; m.Content != "" || len(m.AccessoryList) != 1 ||
		m.AccessoryList[0].AccessoryID != file || m.AccessoryList[0].FileActualName != "trace.log" {
		t.Errorf("message with the file = %+v", m)
	}
	u.Do("GET", casesPath+"/"+id+"/messages?offset=1&limit=2", nil).Expect(200).JSON(&list)
	if *list.Count != 4 || len(list.MessageList) != 2 || list.MessageList[1].Content != "" {
		t.Errorf("page: count %d, %d messages", *list.Count, len(list.MessageList))
	}
	u.Do("GET", casesPath+"/"+id+"/messages?offset=65535&limit=100", nil).Expect(200)
	for _, q := range []string{"?offset=65536", "?limit=101", "?limit=-1", "?group_id=" + strings.Repeat("g", 65)} {
		u.Do("GET", casesPath+"/"+id+"/messages"+q, nil).ExpectError(400, "OSM.01010001")
	}
	// The detail carries the same conversation.
	var d caseDetailBody
	u.Do("GET", casesPath+"/"+id, nil).Expect(200).JSON(&d)
	if len(d.Detail.MessageList) != 4 || len(d.Detail.MessageList[2].AccessoryList) != 1 || d.Detail.MessageList[2].AccessoryList[0].AccessoryID != file {
		t.Errorf("detail has %d messages, not the list's", len(d.Detail.MessageList))
	}
	// The file is now attached: it can no longer be attached elsewhere.
	post(msg("again", file)).ExpectError(409, "OSM.01010014")
}

func TestMessageAccessoryLimitFollowsConfig(t *testing.T) {
	env := newTestEnv(t)
	env.Svc.Config.AccessoryMaxCount = 10
	u := env.Account("acme").Master
	id := caseViaAPI(u, "many files")
	var ids []string
	for i := 0; i < 10; i++ {
		ids = append(ids, uploadViaAPI(u, fmt.Sprintf("f%d.txt", i), []byte{byte(i)}))
	}
	env.Clock.Advance(time.Millisecond)
	u.Do("POST", casesPath+"/"+id+"/message", map[string]any{"message": map[string]any{"content": "ten", "accessory_ids": ids}}).Expect(200)
	var list struct {
		MessageList []msgJS `json:"message_list"`
	}
	u.Do("GET", casesPath+"/"+id+"/messages", nil).Expect(200).JSON(&list)
	if n := len(list.MessageList[1].AccessoryList); n != 10 {
		t.Errorf("%d files attached, want 10", n)
	}
}

// TestCaseGolden pins the wire form of ShowCaseDetail and ListCases.
func TestCaseGolden(t *testing.T) {
	env := newTestEnv(t)
	acc := env.Account("acme")
	alice := acc.User("alice")
	var created struct {
		IncidentID string `json:"incident_id"`
	}
	alice.Do("POST", casesPath, map[string]any{
		"business_type_id": "2", "incident_sub_type_id": "4", "region_id": "cn-south-1", "severity_id": "1",
		"simple_description": "Golden <ticket> & co", "source_id": casebook.SourceAPI,
		"remind_mail": "ops@example.com", "remind_time": "0", "area_code": "86",
	}).Expect(200).JSON(&created)
	id := created.IncidentID
	file := uploadViaAPI(alice, "报告 1.txt", []byte("report"))
	env.Clock.Advance(time.Millisecond)
	alice.Do("POST", casesPath+"/"+id+"/message", map[string]any{"message": map[string]any{"content": "see file", "accessory_ids": []string{file}}}).Expect(200)

	var d caseDetailBody
	detail := alice.Do("GET", casesPath+"/"+id, nil, "X-Language", "en-us").Expect(200)
	detail.JSON(&d)
	list := alice.Do("GET", casesPath, nil, "X-Language", "en-us").Expect(200)

	replacer := strings.NewReplacer(id, "CASE_ID", file, "ACCESSORY_ID", acc.ID, "ACCOUNT_ID", alice.ID, "USER_ID",
		d.Detail.MessageList[0].MessageID, "MESSAGE_ID_1", d.Detail.MessageList[1].MessageID, "MESSAGE_ID_2")
	for name, res := range map[string]*testResponse{"case_detail": detail, "case_list": list} {
		expectGolden(t, name, normalizeGolden(t, replacer.Replace(string(res.Body))))
	}
}

// TestCaseAttachmentsOfOthers names other users' and accounts' uploads
// when opening a ticket or writing a message: the answer is the one for
// an unknown id.
func TestCaseAttachmentsOfOthers(t *testing.T) {
	env := newTestEnv(t)
	f := newVisibilityFixture(t, env)
	const unknown = "AC0000000000000000"
	aliceCase := caseViaAPI(f.alice, "alice's")
	create := func(u *testUser, id string) *testResponse {
		return u.Do("POST", casesPath, map[string]any{"business_type_id": "1", "simple_description": "d", "accessory_ids": []string{id}})
	}
	message := func(u *testUser, caseID, group, id string) *testResponse {
		return u.Do("POST", casesPath+"/"+caseID+"/message", map[string]any{"group_id": group, "message": map[string]any{"content": "x", "accessory_ids": []string{id}}})
	}
	missingCreate := create(f.alice, unknown).ExpectError(404, "OSM.01010001")
	missingMessage := message(f.alice, aliceCase, "", unknown).ExpectError(404, "OSM.01010001")
	for _, tc := range []struct {
		name string
		id   string
	}{
		{"another account's upload", f.otherFile},
		{"a group member's unattached upload", f.unattached2},
		{"another user's attached file", f.carolFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameAsMissing(t, create(f.alice, tc.id), missingCreate, tc.id, unknown)
			sameAsMissing(t, message(f.alice, aliceCase, "", tc.id), missingMessage, tc.id, unknown)
		})
	}
	// Nothing was attached on the way.
	f.bob.Do("DELETE", accessorysPath+"/"+f.unattached2, nil).Expect(200)
}

// The store counts past 65535 (casebook.MaxCountedTotal); ListCases must
// not report more than its documented range.
func TestCaseTotalClamped(t *testing.T) {
	for _, x := range []struct{ in, want int }{
		{0, 0}, {10, 10}, {65534, 65534}, {65535, 65535}, {65536, 65535}, {casebook.MaxCountedTotal, 65535},
	} {
		if got := caseTotal(x.in); got != x.want {
			t.Errorf("caseTotal(%d) = %d, want %d", x.in, got, x.want)
		}
	}
}
