package http

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// importDictionaries imports the shipped defaults as edit changes them.
func importDictionaries(t testing.TB, env *testEnv, edit func(d *casebook.Dictionaries)) {
	t.Helper()
	d := casebook.DefaultDictionaries()
	edit(d)
	file, err := d.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.ImportDictionaries(context.Background(), file); err != nil {
		t.Fatalf("import dictionaries: %v", err)
	}
}

const configPath = "/v2/servicerequest/config"

// TestDictionaryBounds: the documented and our own bounds of the
// dictionary operations' inputs, at and just past them, and the names in
// both languages.
func TestDictionaryBounds(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").User("alice")
	long := strings.Repeat("p", casebook.MaxProductCategoryIDLength)
	importDictionaries(t, env, func(d *casebook.Dictionaries) {
		d.ProductCategories = append(d.ProductCategories, casebook.ProductCategory{ID: long, Name: casebook.Names{ZhCN: "长", EnUS: "Long"}})
		d.Configuration[strings.Repeat("k", casebook.MaxConfigKeyLength)] = "at the bound"
	})

	// ListSeverities: product_category_id 1..64 and known.
	u.Do("GET", configPath+"/severities?business_type_id=1&product_category_id="+long, nil).Expect(200)
	u.Do("GET", configPath+"/severities?business_type_id=1&product_category_id="+long+"p", nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", configPath+"/severities?business_type_id=1", nil).ExpectError(400, "OSM.01010001")

	// ListProductCategories: product_category_name up to 128 characters.
	var prods struct {
		TotalCount int `json:"total_count"`
		List       []struct {
			ID   string `json:"incident_product_category_id"`
			Name string `json:"incident_product_category_name"`
		} `json:"incident_product_category_list"`
	}
	u.Do("GET", configPath+"/product-categories?product_category_name="+url.QueryEscape(strings.Repeat("长", 128)), nil).Expect(200).JSON(&prods)
	if prods.TotalCount != 0 {
		t.Errorf("a 128-character name matched %d products", prods.TotalCount)
	}
	u.Do("GET", configPath+"/product-categories?product_category_name="+url.QueryEscape(strings.Repeat("长", 129)), nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", configPath+"/product-categories?product_category_name=LONG", nil, "X-Language", "en-us").Expect(200).JSON(&prods)
	if prods.TotalCount != 1 || prods.List[0].ID != long || prods.List[0].Name != "Long" {
		t.Errorf("name filter: %+v", prods)
	}
	u.Do("GET", configPath+"/product-categories?product_category_name=长", nil).Expect(200).JSON(&prods)
	if prods.TotalCount != 1 || prods.List[0].Name != "长" {
		t.Errorf("zh-cn name filter: %+v", prods)
	}

	// ShowConfiguration: keys of 1..64 characters; unknown is 404.
	var conf struct {
		Key   string `json:"config_key"`
		Value string `json:"config_value"`
	}
	u.Do("GET", "/v2/servicerequest/configurations/"+strings.Repeat("k", 64), nil).Expect(200).JSON(&conf)
	if conf.Value != "at the bound" {
		t.Errorf("ShowConfiguration at 64: %+v", conf)
	}
	u.Do("GET", "/v2/servicerequest/configurations/"+strings.Repeat("k", 65), nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", "/v2/servicerequest/configurations/nope", nil).ExpectError(404, "OSM.01010001")

	// ListCaseTemplates needs a known business_type_id.
	u.Do("GET", configPath+"/templates", nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", configPath+"/templates?business_type_id=3", nil).Expect(200)

	// Without authentication nothing is served.
	env.Do("GET", configPath+"/regions", nil).ExpectError(401, "APIGW.0301")
}

// TestCaseQuotaCountsOwnTickets: un_used is the configured quota less the
// caller's own open tickets: not the master's view of the account, not
// the group's, and finished tickets free their place.
func TestCaseQuotaCountsOwnTickets(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	alice, bob := acme.User("alice"), acme.User("bob")
	importDictionaries(t, env, func(d *casebook.Dictionaries) { d.Configuration[casebook.ConfigOpenCaseQuota] = "2" })
	quota := func(u *testUser) (int, int) {
		var q struct {
			Total  int `json:"total"`
			UnUsed int `json:"un_used"`
		}
		u.Do("GET", "/v2/servicerequest/quotas?business_type_id=1", nil).Expect(200).JSON(&q)
		return q.Total, q.UnUsed
	}
	first := caseViaAPI(alice, "one")
	caseViaAPI(alice, "two")
	caseViaAPI(bob, "bob's")
	if total, unused := quota(alice); total != 2 || unused != 0 {
		t.Errorf("alice: total %d unused %d, want 2 0", total, unused)
	}
	if _, unused := quota(bob); unused != 1 {
		t.Errorf("bob: unused %d, want 1", unused)
	}
	if _, unused := quota(acme.Master); unused != 2 {
		t.Errorf("master: unused %d, want 2 (a quota counts one's own tickets)", unused)
	}
	alice.Do("POST", casesPath+"/"+first+"/action?action_id=close", nil).Expect(200)
	if _, unused := quota(alice); unused != 1 {
		t.Errorf("alice after a close: unused %d, want 1", unused)
	}
	var limits struct {
		Config struct {
			Max *int `json:"create_case_ccemail_max_count"`
		} `json:"config"`
	}
	alice.Do("GET", configPath+"/limits", nil).Expect(200).JSON(&limits)
	if limits.Config.Max == nil || *limits.Config.Max != 5 {
		t.Errorf("ListCaseLimits: %+v", limits)
	}
}

// TestImportedNamesOnTickets: tickets show the operator's names for their
// problem type, category and severity as soon as an import commits.
func TestImportedNamesOnTickets(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	var created struct {
		IncidentID string `json:"incident_id"`
	}
	u.Do("POST", casesPath, map[string]any{"business_type_id": "1", "incident_sub_type_id": "3", "severity_id": "2",
		"simple_description": "named", "source_id": casebook.SourceAPI}).Expect(200).JSON(&created)
	importDictionaries(t, env, func(d *casebook.Dictionaries) {
		d.ProblemTypes[0].Name.EnUS = "Question"
		d.CaseCategories[2].Name.EnUS = "Slow"
		d.Severities[1].Name.EnUS = "High"
	})
	var detail caseDetailBody
	u.Do("GET", casesPath+"/"+created.IncidentID, nil, "X-Language", "en-us").Expect(200).JSON(&detail)
	if got := detail.Detail; got.BusinessTypeName != "Question" || got.IncidentTypeName != "Slow" || got.SeverityName != "High" {
		t.Errorf("detail names: %q %q %q", got.BusinessTypeName, got.IncidentTypeName, got.SeverityName)
	}
	var list struct {
		List []struct {
			BusinessTypeName string `json:"business_type_name"`
			IncidentTypeName string `json:"incident_type_name"`
		} `json:"incident_info_list"`
	}
	u.Do("GET", casesPath, nil, "X-Language", "en-us").Expect(200).JSON(&list)
	if len(list.List) != 1 || list.List[0].BusinessTypeName != "Question" || list.List[0].IncidentTypeName != "Slow" {
		t.Errorf("list names: %+v", list.List)
	}
}

// TestCreateScoresBounds: judgement 0..400, 1..100 scores, a completed
// ticket rated once; nothing is stored by a refused rating.
func TestCreateScoresBounds(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	id := caseViaAPI(u, "to rate")
	score := func(_ string, body any) *testResponse { return u.Do("POST", casesPath+"/"+id+"/score", body) }
	one := []map[string]any{{"satisfaction_id": 1, "satisfaction_value": 5}}
	score("", map[string]any{"incident_satisfaction_list": one}).ExpectError(409, "OSM.01010014") // still open
	u.Do("POST", casesPath+"/"+id+"/action?action_id=close", nil).Expect(200)

	many := make([]map[string]any, casebook.MaxSatisfactions+1)
	for i := range many {
		many[i] = map[string]any{"satisfaction_id": 1, "satisfaction_value": 1}
	}
	for name, body := range map[string]any{
		"judgement at 401": map[string]any{"judgement": strings.Repeat("j", 401), "incident_satisfaction_list": one},
		"no scores":        map[string]any{"incident_satisfaction_list": []any{}},
		"null scores":      map[string]any{"incident_satisfaction_list": nil},
		"101 scores":       map[string]any{"incident_satisfaction_list": many},
		"value above 5":    map[string]any{"incident_satisfaction_list": []map[string]any{{"satisfaction_id": 1, "satisfaction_value": 6}}},
		"no body":          nil,
	} {
		t.Run(name, func(t *testing.T) { score("", body).inSubtest(t).ExpectError(400, "OSM.01010001") })
	}
	var d caseDetailBody
	u.Do("GET", casesPath+"/"+id, nil).Expect(200).JSON(&d)
	if len(d.Detail.IncidentSatisfaction) != 0 {
		t.Fatalf("refused ratings stored: %+v", d.Detail.IncidentSatisfaction)
	}
	score("", map[string]any{"judgement": strings.Repeat("好", 400), "incident_satisfaction_list": one}).Expect(200)
	u.Do("GET", casesPath+"/"+id, nil).Expect(200).JSON(&d)
	if len(d.Detail.IncidentSatisfaction) != 1 || d.Detail.Judgement != strings.Repeat("好", 400) {
		t.Errorf("after CreateScores: %+v, judgement %d characters", d.Detail.IncidentSatisfaction, len([]rune(d.Detail.Judgement)))
	}
	score("", map[string]any{"incident_satisfaction_list": one}).ExpectError(409, "OSM.01010014")
	// Another account's ticket answers like a missing one.
	env.Account("globex").Master.Do("POST", casesPath+"/"+id+"/score", map[string]any{"incident_satisfaction_list": one}).ExpectError(404, "OSM.01010015")
}

// TestCreateScoresGroup: group_id (body or query) lets a member rate a
// group member's ticket; without it, or for a group they are not in, the
// ticket answers like a missing one.
func TestCreateScoresGroup(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	alice, bob, carol := acme.User("alice"), acme.User("bob"), acme.User("carol")
	team := acme.Group("team", alice, bob)
	id := caseViaAPI(alice, "team ticket")
	alice.Do("POST", casesPath+"/"+id+"/action?action_id=close", nil).Expect(200)
	one := []map[string]any{{"satisfaction_id": 2, "satisfaction_value": 4}}
	path := casesPath + "/" + id + "/score"
	bob.Do("POST", path, map[string]any{"incident_satisfaction_list": one}).ExpectError(404, "OSM.01010015")
	carol.Do("POST", path, map[string]any{"incident_satisfaction_list": one, "group_id": team}).ExpectError(404, "OSM.01010015")
	bob.Do("POST", path+"?group_id="+team, map[string]any{"incident_satisfaction_list": one}).Expect(200)
	var d caseDetailBody
	alice.Do("GET", casesPath+"/"+id, nil).Expect(200).JSON(&d)
	if s := d.Detail.IncidentSatisfaction; len(s) != 1 || s[0].SatisfactionID != 2 || s[0].SatisfactionValue != 4 || s[0].SatisfactionName != "专业程度" || s[0].PerValue != 5 {
		t.Errorf("scores: %+v", s)
	}
}
