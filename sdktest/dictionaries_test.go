package sdktest

import (
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestListSeverities: the severities in both languages, the default
// language, and the required ids refused when missing, too long or unknown.
func TestListSeverities(t *testing.T) {
	alice := world.Alice
	names := func(lang *string) (ids, names []string) {
		t.Helper()
		resp, err := alice.Client.ListSeverities(&model.ListSeveritiesRequest{ProductCategoryId: ecs, BusinessTypeId: "2", XLanguage: lang})
		must(t, err, "ListSeverities")
		if resp.Show == nil || !*resp.Show || resp.SeverityList == nil {
			t.Fatalf("ListSeverities: show %v, list %v", resp.Show, resp.SeverityList)
		}
		for _, s := range *resp.SeverityList {
			ids = append(ids, str(s.SeverityId))
			names = append(names, str(s.SeverityName))
			if want := "zh-cn"; lang != nil {
				want = *lang
				if str(s.Language) != want {
					t.Errorf("severity %s: language %q, want %q", str(s.SeverityId), str(s.Language), want)
				}
			} else if str(s.Language) != want {
				t.Errorf("severity %s: language %q, want the default %q", str(s.SeverityId), str(s.Language), want)
			}
		}
		return ids, names
	}
	ids, en := names(ptr("en-us"))
	if strings.Join(ids, ",") != "1,2,3,4" || strings.Join(en, ",") != "Critical,Major,Minor,Suggestion" {
		t.Errorf("en-us: ids %v names %v", ids, en)
	}
	_, zh := names(ptr("zh-cn"))
	_, def := names(nil)
	if strings.Join(zh, ",") != "致命,严重,一般,提示" || strings.Join(def, ",") != strings.Join(zh, ",") {
		t.Errorf("zh-cn names %v, default names %v", zh, def)
	}

	// The SDK sends both ids always; empty, unknown or too long is refused.
	for _, req := range []model.ListSeveritiesRequest{
		{ProductCategoryId: ecs, BusinessTypeId: ""},
		{ProductCategoryId: "", BusinessTypeId: "1"},
		{ProductCategoryId: ecs, BusinessTypeId: "no-such-type"},
		{ProductCategoryId: "no-such-product", BusinessTypeId: "1"},
		{ProductCategoryId: strings.Repeat("p", 65), BusinessTypeId: "1"},
	} {
		_, err := alice.Client.ListSeverities(&req)
		wantError(t, err, 400, "OSM.01010001")
	}
}

// ecs is the id of the Elastic Cloud Server among the shipped products (the
// documentation's example id).
const ecs = "b5f0be5c9639466184abf80e01f9fa1d"

// TestDictionaries: every dictionary of the ticket form through the SDK,
// in both languages; the operator's import is served at once by the
// running server, and CreateCases takes the new ids and refuses unknown
// ones.
func TestDictionaries(t *testing.T) {
	alice := world.Alice
	en, zh := ptr("en-us"), ptr("zh-cn")

	pt, err := alice.Client.ListProblemTypes(&model.ListProblemTypesRequest{XLanguage: en})
	must(t, err, "ListProblemTypes")
	if i32(pt.TotalCount) != 4 || len(*pt.IncidentBusinessTypeList) != 4 {
		t.Fatalf("ListProblemTypes: %v", pt)
	}
	if p := (*pt.IncidentBusinessTypeList)[1]; str(p.BusinessTypeId) != "2" || str(p.BusinessTypeName) != "Fault report" || str(p.CaseType) != "5" {
		t.Errorf("problem type 2: %s %s %s", str(p.BusinessTypeId), str(p.BusinessTypeName), str(p.CaseType))
	}
	_, err = alice.Client.ListProblemTypes(&model.ListProblemTypesRequest{ProductCategoryId: ptr("no-such-product")})
	wantError(t, err, 400, "OSM.01010001")

	cats, err := alice.Client.ListCaseCategories(&model.ListCaseCategoriesRequest{XLanguage: zh})
	must(t, err, "ListCaseCategories")
	if i32(cats.TotalCount) != 6 || str((*cats.IncidentSubTypeList)[2].IncidentSubTypeName) != "性能问题" ||
		len(*(*cats.IncidentSubTypeList)[0].IncidentProductCategoryList) != 7 {
		t.Errorf("ListCaseCategories: %v", cats)
	}

	prods, err := alice.Client.ListProductCategories(&model.ListProductCategoriesRequest{XLanguage: en, ProductCategoryName: ptr("cloud server")})
	must(t, err, "ListProductCategories")
	if i32(prods.TotalCount) != 1 || str((*prods.IncidentProductCategoryList)[0].IncidentProductCategoryId) != ecs ||
		str((*prods.IncidentProductCategoryList)[0].IncidentProductCategoryAcronym) != "ECS" {
		t.Errorf("ListProductCategories(cloud server): %v", prods)
	}
	all, err := alice.Client.ListProductCategories(&model.ListProductCategoriesRequest{})
	must(t, err, "ListProductCategories")
	if i32(all.TotalCount) != 7 || str((*all.IncidentProductCategoryList)[0].IncidentProductCategoryName) != "弹性云服务器" {
		t.Errorf("ListProductCategories: %v", all)
	}
	_, err = alice.Client.ListProductCategories(&model.ListProductCategoriesRequest{ProductCategoryName: ptr(strings.Repeat("n", 129))})
	wantError(t, err, 400, "OSM.01010001")

	codes, err := alice.Client.ListAreaCodes(&model.ListAreaCodesRequest{XLanguage: en})
	must(t, err, "ListAreaCodes")
	if c := (*codes.AreaCodeList)[0]; i32(c.Id) != 1 || str(c.AreaCode) != "86" || str(c.AreaName) != "Chinese mainland" {
		t.Errorf("ListAreaCodes: %v", codes)
	}

	dims, err := alice.Client.ListSatisfactionDimensions(&model.ListSatisfactionDimensionsRequest{XLanguage: en})
	must(t, err, "ListSatisfactionDimensions")
	if d := (*dims.SatisfactionDimensionList)[2]; i32(dims.TotalCount) != 3 || i32(d.SatisfactionId) != 3 || str(d.SatisfactionName) != "Overall satisfaction" || i32(d.PerValue) != 5 {
		t.Errorf("ListSatisfactionDimensions: %v", dims)
	}

	tpl, err := alice.Client.ListCaseTemplates(&model.ListCaseTemplatesRequest{BusinessTypeId: "2", XLanguage: en})
	must(t, err, "ListCaseTemplates")
	if i32(tpl.TotalCount) != 1 || !strings.HasPrefix(str((*tpl.IncidentTemplateList)[0].IncidentTemplateContent), "Symptom:") {
		t.Errorf("ListCaseTemplates: %v", tpl)
	}
	for _, id := range []string{"", "no-such-type"} {
		_, err = alice.Client.ListCaseTemplates(&model.ListCaseTemplatesRequest{BusinessTypeId: id})
		wantError(t, err, 400, "OSM.01010001")
	}

	conf, err := alice.Client.ShowConfiguration(&model.ShowConfigurationRequest{ConfigKey: "open_case_quota"})
	must(t, err, "ShowConfiguration")
	if str(conf.ConfigKey) != "open_case_quota" || str(conf.ConfigValue) != "100" {
		t.Errorf("ShowConfiguration: %v", conf)
	}
	_, err = alice.Client.ShowConfiguration(&model.ShowConfigurationRequest{ConfigKey: "no-such-key"})
	wantError(t, err, 404, "OSM.01010001")

	// The operator adds a region; the running server serves it at once.
	region := "moon-" + randomHex(4)
	exported, err := world.cli("dictionary", "export", "-")
	must(t, err, "dictionary export")
	restoreDictionaries(t, exported)
	edited := strings.Replace(string(exported), `"regions": [`,
		`"regions": [{"id": "`+region+`", "name": {"zh-cn": "月球", "en-us": "Moon"}},`, 1)
	f := writeFile(t, "dictionaries.json", []byte(edited))
	_, err = world.cli("dictionary", "import", f.Name())
	must(t, err, "dictionary import")

	regions, err := alice.Client.ListRegions(&model.ListRegionsRequest{XLanguage: en})
	must(t, err, "ListRegions")
	if r := (*regions.DataCenterList)[0]; str(r.RegionId) != region || str(r.RegionName) != "Moon" {
		t.Errorf("ListRegions after the import: %v", regions)
	}
	cr, err := alice.Client.ListCustomersRegions(&model.ListCustomersRegionsRequest{XLanguage: zh})
	must(t, err, "ListCustomersRegions")
	if r := (*cr.RegionInfos)[0]; i32(cr.Count) != int32(len(*regions.DataCenterList)) || str(r.RegionId) != region || str(r.RegionName) != "月球" {
		t.Errorf("ListCustomersRegions after the import: %v", cr)
	}

	// CreateCases takes the new region and refuses unknown ids.
	_, err = alice.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
		BusinessTypeId: "2", RegionId: ptr(region), SimpleDescription: "On the moon", SourceId: sourceAPI,
	}})
	must(t, err, "CreateCases in the imported region")
	for name, body := range map[string]model.CreateOrderIncidentV2Req{
		"region":   {BusinessTypeId: "2", RegionId: ptr("mars-1"), SimpleDescription: "x", SourceId: sourceAPI},
		"product":  {BusinessTypeId: "1", ProductCategoryId: ptr("no-such-product"), SimpleDescription: "x", SourceId: sourceAPI},
		"sub type": {BusinessTypeId: "1", IncidentSubTypeId: ptr("99"), SimpleDescription: "x", SourceId: sourceAPI},
		"problem":  {BusinessTypeId: "99", SimpleDescription: "x", SourceId: sourceAPI},
	} {
		body := body
		_, err := alice.Client.CreateCases(&model.CreateCasesRequest{Body: &body})
		if err == nil {
			t.Errorf("CreateCases with an unknown %s succeeded", name)
			continue
		}
		wantError(t, err, 400, "OSM.01010001")
	}

	// A bad file is refused by the CLI and changes nothing.
	bad := writeFile(t, "bad.json", []byte(strings.Replace(edited, `"severities"`, `"severitys"`, 1)))
	if _, err := world.cli("dictionary", "import", bad.Name()); err == nil {
		t.Errorf("importing a misspelt file succeeded")
	}
	again, err := alice.Client.ListRegions(&model.ListRegionsRequest{})
	must(t, err, "ListRegions")
	if str((*again.DataCenterList)[0].RegionId) != region {
		t.Errorf("the refused import changed the regions")
	}
}

// TestCaseLimitsAndQuotas: the configured limit, and the quota less the
// caller's own open tickets.
func TestCaseLimitsAndQuotas(t *testing.T) {
	bob := world.Bob
	limits, err := bob.Client.ListCaseLimits(&model.ListCaseLimitsRequest{})
	must(t, err, "ListCaseLimits")
	if limits.Config == nil || i32(limits.Config.CreateCaseCcemailMaxCount) != 5 {
		t.Errorf("ListCaseLimits: %v", limits)
	}
	quota := func() (int32, int32) {
		t.Helper()
		q, err := bob.Client.ListCaseQuotas(&model.ListCaseQuotasRequest{BusinessTypeId: "1", ProductCategoryId: ptr(ecs)})
		must(t, err, "ListCaseQuotas")
		return i32(q.Total), i32(q.UnUsed)
	}
	total, before := quota()
	if total != 100 || before > total {
		t.Fatalf("ListCaseQuotas: total %d, unused %d", total, before)
	}
	id := createCase(t, bob, "quota "+randomHex(4))
	if _, after := quota(); after != before-1 {
		t.Errorf("unused after opening a ticket: %d, want %d", after, before-1)
	}
	_, err = bob.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "cancel", Body: &model.WorkOrderOperateV2Req{}})
	must(t, err, "cancel")
	if _, after := quota(); after != before {
		t.Errorf("unused after cancelling it: %d, want %d", after, before)
	}
	for _, req := range []model.ListCaseQuotasRequest{{BusinessTypeId: ""}, {BusinessTypeId: "99"}, {BusinessTypeId: "1", ProductCategoryId: ptr("nope")}} {
		_, err := bob.Client.ListCaseQuotas(&req)
		wantError(t, err, 400, "OSM.01010001")
	}
}

// TestExtendsParams: the shipped parameters per problem type, and a
// required parameter the operator adds is enforced by CreateCases at once
// (missing, over its length) and accepted at its length.
func TestExtendsParams(t *testing.T) {
	alice := world.Alice
	keys := func(businessType string) []string {
		t.Helper()
		resp, err := alice.Client.ListExtendsParams(&model.ListExtendsParamsRequest{BusinessTypeId: businessType, XLanguage: ptr("en-us")})
		must(t, err, "ListExtendsParams")
		var out []string
		for _, p := range *resp.ExtendsParams {
			out = append(out, str(p.ParamKey))
		}
		if resp.CommonParams == nil || len(*resp.CommonParams) != 4 {
			t.Errorf("common_params: %v", resp.CommonParams)
		}
		return out
	}
	if got := strings.Join(keys("2"), ","); !strings.HasPrefix(got, "resource_id,error_message") {
		t.Errorf("fault report parameters: %s", got)
	}
	if got := strings.Join(keys("1"), ","); strings.Contains(got, "error_message") || !strings.Contains(got, "resource_id") {
		t.Errorf("consultation parameters: %s", got)
	}
	for _, req := range []model.ListExtendsParamsRequest{
		{BusinessTypeId: ""}, {BusinessTypeId: "99"},
		{BusinessTypeId: "1", IncidentSubTypeId: ptr("99")}, {BusinessTypeId: "1", ProductCategoryId: ptr("nope")},
	} {
		_, err := alice.Client.ListExtendsParams(&req)
		wantError(t, err, 400, "OSM.01010001")
	}

	// The operator makes a parameter of problem type 3 required.
	key := "contract_" + randomHex(3)
	exported, err := world.cli("dictionary", "export", "-")
	must(t, err, "dictionary export")
	restoreDictionaries(t, exported)
	edited := strings.Replace(string(exported), `"extends_params": [`,
		`"extends_params": [{"business_type_id": "3", "key": "`+key+`", "name": {"zh-cn": "合同号", "en-us": "Contract"}, "description": {"zh-cn": "", "en-us": ""}, "tips": {"zh-cn": "", "en-us": ""}, "required": true, "max_length": 8, "default": ""},`, 1)
	f := writeFile(t, "extends.json", []byte(edited))
	_, err = world.cli("dictionary", "import", f.Name())
	must(t, err, "dictionary import")
	resp, err := alice.Client.ListExtendsParams(&model.ListExtendsParamsRequest{BusinessTypeId: "3"})
	must(t, err, "ListExtendsParams")
	if p := (*resp.ExtendsParams)[0]; str(p.ParamKey) != key || i32(p.Required) != 1 || i32(p.Length) != 8 || str(p.ParamName) != "合同号" {
		t.Errorf("the imported parameter: %+v", p)
	}
	create := func(extends map[string]interface{}) error {
		_, err := alice.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
			BusinessTypeId: "3", SimpleDescription: "billing", SourceId: sourceAPI, ExtendsMap: extends,
		}})
		return err
	}
	wantError(t, create(nil), 400, "OSM.01010001")
	wantError(t, create(map[string]interface{}{key: "123456789"}), 400, "OSM.01010001")
	must(t, create(map[string]interface{}{key: "12345678"}), "CreateCases with the required parameter at its length")
	// Other problem types are not affected.
	createCase(t, alice, "no contract needed "+randomHex(3))
}

// restoreDictionaries imports the exported set again when the test ends, so
// that what it imported does not reach other tests.
func restoreDictionaries(t *testing.T, exported []byte) {
	f := writeFile(t, "restore.json", exported)
	t.Cleanup(func() {
		if _, err := world.cli("dictionary", "import", f.Name()); err != nil {
			t.Errorf("restore the dictionaries: %v", err)
		}
	})
}
