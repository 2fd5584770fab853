package sdktest

import (
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestTimeZoneHeader: X-Time-Zone, set on the SDK's request model, decides
// how ListCases reads a zone-less query_start_time / query_end_time.
func TestTimeZoneHeader(t *testing.T) {
	alice := world.Alice
	id := createCase(t, alice, "Time zones "+randomHex(4))
	d, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, XTimeZone: ptr("GMT+8")})
	must(t, err, "ShowCaseDetail")
	created := time.Time(*d.IncidentDetailInfo.CreateTime).UTC()

	// One wall-clock string, one minute before creation in GMT+8.
	const layout = "2006-01-02 15:04:05"
	wall := created.Add(-time.Minute).In(time.FixedZone("GMT+8", 8*3600)).Format(layout)
	found := func(zone, start, end string) bool {
		t.Helper()
		req := &model.ListCasesRequest{IncidentId: ptr(id), XTimeZone: ptr(zone), XLanguage: ptr("en-us")}
		if start != "" {
			req.QueryStartTime = ptr(start)
		}
		if end != "" {
			req.QueryEndTime = ptr(end)
		}
		resp, err := alice.Client.ListCases(req)
		must(t, err, "ListCases X-Time-Zone "+zone)
		return i32(resp.TotalCount) == 1
	}
	if !found("GMT+8", wall, "") {
		t.Errorf("query_start_time %q in GMT+8 (a minute before creation) misses the ticket", wall)
	}
	// The same wall clock in GMT-8 is 16 hours later: after creation.
	if found("GMT-8", wall, "") {
		t.Errorf("query_start_time %q in GMT-8 (16h after creation) still finds the ticket", wall)
	}
	if found("GMT+8", "", wall) {
		t.Errorf("query_end_time %q in GMT+8 (before creation) finds the ticket", wall)
	}
	if !found("GMT-8", "", wall) {
		t.Errorf("query_end_time %q in GMT-8 (after creation) misses the ticket", wall)
	}
	if !found("Asia/Shanghai", wall, "") {
		t.Errorf("query_start_time %q with X-Time-Zone Asia/Shanghai misses the ticket", wall)
	}
}

// TestLanguageHeader: X-Language picks the names of the ticket's
// dictionaries in ListCases; absent means zh-cn.
func TestLanguageHeader(t *testing.T) {
	alice := world.Alice
	id := createCase(t, alice, "Languages "+randomHex(4))
	name := func(lang string) string {
		t.Helper()
		req := &model.ListCasesRequest{IncidentId: ptr(id)}
		if lang != "" {
			req.XLanguage = ptr(lang)
		}
		resp, err := alice.Client.ListCases(req)
		must(t, err, "ListCases X-Language "+lang)
		if resp.IncidentInfoList == nil || len(*resp.IncidentInfoList) != 1 {
			t.Fatalf("ListCases X-Language %q: %v; want the ticket", lang, resp.IncidentInfoList)
		}
		return (*resp.IncidentInfoList)[0].BusinessTypeName
	}
	en, zh, def := name("en-us"), name("zh-cn"), name("")
	if en == "" || zh == "" || en == zh {
		t.Errorf("business_type_name en-us %q, zh-cn %q; want two different names", en, zh)
	}
	if def != zh {
		t.Errorf("business_type_name without X-Language %q; want the zh-cn %q", def, zh)
	}
	// Site 1 (international) is accepted.
	_, err := alice.Client.ListCases(&model.ListCasesRequest{IncidentId: ptr(id), XSite: ptr(int32(1))})
	must(t, err, "ListCases X-Site 1")
}
