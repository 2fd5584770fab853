package sdktest

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestListCaseCounts: the counts by status of the caller's view, through
// the SDK.
func TestListCaseCounts(t *testing.T) {
	dave := world.Dave
	count := func(status *int32) map[int32]int32 {
		t.Helper()
		resp, err := dave.Client.ListCaseCounts(&model.ListCaseCountsRequest{Status: status})
		must(t, err, "ListCaseCounts")
		out := map[int32]int32{}
		for _, c := range *resp.IncidentStatusCounts {
			out[i32(c.Status)] = i32(c.Count)
		}
		return out
	}
	before := count(nil)
	createCase(t, dave, "Counted "+randomHex(4))
	after := count(nil)
	if after[0] != before[0]+1 || len(after) < 7 {
		t.Errorf("pending before %d, after %d (%v)", before[0], after[0], after)
	}
	if one := count(ptr(int32(0))); len(one) != 1 || one[0] != after[0] {
		t.Errorf("status=0: %v", one)
	}
	_, err := dave.Client.ListCaseCounts(&model.ListCaseCountsRequest{Status: ptr(int32(31))})
	wantError(t, err, 400, "OSM.01010001")
}

// TestCaseContactAndExtends: UpdateCaseContactInfo, CreateCaseExtendsParam
// and ShowCaseExtendsParam through the SDK; what is stored shows in
// ShowCaseDetail (contact) and in the raw ShowCaseExtendsParam answer (the
// SDK's model for it declares only the error fields).
func TestCaseContactAndExtends(t *testing.T) {
	alice := world.Alice
	id := createCase(t, alice, "Contact "+randomHex(4))
	resp, err := alice.Client.UpdateCaseContactInfo(&model.UpdateCaseContactInfoRequest{CaseId: id, Body: &model.UpdateCaseContactInfoReq{
		AreaCode: ptr("86"), RemindMobile: ptr("13800000000"), RemindMail: ptr("alice@example.com"), RemindTime: ptr("09:00-18:00"),
	}})
	must(t, err, "UpdateCaseContactInfo")
	if str(resp.ErrorCode) != "" {
		t.Errorf("error_code %q", str(resp.ErrorCode))
	}
	detail, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	must(t, err, "ShowCaseDetail")
	ext := detail.IncidentDetailInfo.ExtInfo
	if ext == nil || str(ext.AreaCode) != "86" || str(ext.RemindMobile) != "13800000000" || str(ext.RemindMail) != "alice@example.com" || str(ext.RemindTime) != "09:00-18:00" {
		t.Errorf("ext_info = %+v", ext)
	}
	_, err = alice.Client.UpdateCaseContactInfo(&model.UpdateCaseContactInfoRequest{CaseId: id, Body: &model.UpdateCaseContactInfoReq{RemindMobile: ptr(strings.Repeat("1", 33))}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = alice.Client.UpdateCaseContactInfo(&model.UpdateCaseContactInfoRequest{CaseId: id, Body: &model.UpdateCaseContactInfoReq{RemindTime: ptr("0"), ExtensionMap: map[string]interface{}{"k": "v"}}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = world.Dave.Client.UpdateCaseContactInfo(&model.UpdateCaseContactInfoRequest{CaseId: id, Body: &model.UpdateCaseContactInfoReq{RemindTime: ptr("0")}})
	wantError(t, err, 404, "OSM.01010015")

	cr, err := alice.Client.CreateCaseExtendsParam(&model.CreateCaseExtendsParamRequest{CaseId: id, Body: &model.PutCaseExtParamReq{ExtendsMap: map[string]interface{}{"instance_id": "i-123", "cores": 4}}})
	must(t, err, "CreateCaseExtendsParam")
	if str(cr.ErrorCode) != "" {
		t.Errorf("error_code %q", str(cr.ErrorCode))
	}
	_, err = alice.Client.CreateCaseExtendsParam(&model.CreateCaseExtendsParamRequest{CaseId: id, Body: &model.PutCaseExtParamReq{MessageId: ptr("m-1"), ExtendsMap: map[string]interface{}{"a": "b"}}})
	wantError(t, err, 400, "OSM.01010001")
	_, err = alice.Client.CreateCaseExtendsParam(&model.CreateCaseExtendsParamRequest{CaseId: id, Body: &model.PutCaseExtParamReq{ExtendsMap: map[string]interface{}{strings.Repeat("k", 65): "v"}}})
	wantError(t, err, 400, "OSM.01010001")
	sr, err := alice.Client.ShowCaseExtendsParam(&model.ShowCaseExtendsParamRequest{CaseId: id})
	must(t, err, "ShowCaseExtendsParam")
	if str(sr.ErrorCode) != "" {
		t.Errorf("error_code %q", str(sr.ErrorCode))
	}
	_, err = world.Dave.Client.ShowCaseExtendsParam(&model.ShowCaseExtendsParamRequest{CaseId: id})
	wantError(t, err, 404, "OSM.01010015")
	// What the SDK cannot decode, plain HTTP shows.
	status, _, body, err := alice.raw(t, "GET", "/v2/servicerequest/cases/"+id+"/extends-param")
	if err != nil || status != 200 || !strings.Contains(string(body), `"instance_id":"i-123"`) || !strings.Contains(string(body), `"cores":"4"`) {
		t.Errorf("raw ShowCaseExtendsParam: %d %s %v", status, body, err)
	}
}

// TestDownloadCases: the SDK's streamed DownloadCases returns the CSV file
// with the caller's tickets, and refuses bad input with the documented
// error.
func TestDownloadCases(t *testing.T) {
	dave := world.Dave
	id := createCase(t, dave, "Exported "+randomHex(4))
	resp, err := dave.Client.DownloadCases(&model.DownloadCasesRequest{Language: "en-us", Timezone: "GMT+8"})
	must(t, err, "DownloadCases")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err, "read the export")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	if len(rows) < 2 || rows[0][0] != "Case ID" || rows[1][0] != id {
		t.Errorf("rows = %q", rows)
	}
	one, err := dave.Client.DownloadCases(&model.DownloadCasesRequest{Language: "zh-cn", Timezone: "UTC", IncidentId: ptr(id)})
	must(t, err, "DownloadCases by id")
	b, _ = io.ReadAll(one.Body)
	one.Body.Close()
	if rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll(); err != nil || len(rows) != 2 || rows[0][0] != "工单号" {
		t.Errorf("by id: %q %v", rows, err)
	}
	_, err = dave.Client.DownloadCases(&model.DownloadCasesRequest{Language: "en-us", Timezone: "Mars/Olympus"})
	wantError(t, err, 400, "OSM.01010001")
	_, err = dave.Client.DownloadCases(&model.DownloadCasesRequest{Language: "en-us", Timezone: "UTC", Status: ptr(int32(21))})
	wantError(t, err, 400, "OSM.01010001")
}

// TestListOrderIncident: the legacy camelCase list through the SDK, with
// ListCases' visibility (group) and paging by pageNo/pageSize.
func TestListOrderIncident(t *testing.T) {
	bob := world.Bob
	suffix := randomHex(4)
	a := createCase(t, bob, "Legacy list "+suffix)
	b := createCase(t, world.Alice, "Legacy list "+suffix)
	resp, err := bob.Client.ListOrderIncident(&model.ListOrderIncidentRequest{SearchKey: &[]string{suffix}, PageNo: ptr(int32(1)), PageSize: ptr(int32(10))})
	must(t, err, "ListOrderIncident")
	if i32(resp.TotalCount) != 1 || str((*resp.IncidentInfoList)[0].IncidentId) != a || str((*resp.IncidentInfoList)[0].XcustomerName) != "bob" {
		t.Errorf("bob's own: %+v", resp)
	}
	// With the group, bob sees alice's ticket too, one a page. The two
	// may have been created in the same millisecond, and then the id
	// decides which comes first: the pages are checked as a set.
	seen := map[string]bool{}
	for page := int32(1); page <= 2; page++ {
		resp, err = bob.Client.ListOrderIncident(&model.ListOrderIncidentRequest{SearchKey: &[]string{suffix}, GroupId: ptr(world.Team.ID), PageNo: ptr(page), PageSize: ptr(int32(1))})
		must(t, err, "ListOrderIncident with the group")
		if i32(resp.TotalCount) != 2 || len(*resp.IncidentInfoList) != 1 {
			t.Fatalf("group page %d: %+v", page, resp)
		}
		seen[str((*resp.IncidentInfoList)[0].IncidentId)] = true
		if (*resp.IncidentInfoList)[0].CreateTime == nil {
			t.Errorf("createTime not decoded")
		}
	}
	if len(seen) != 2 || !seen[a] || !seen[b] {
		t.Errorf("group pages 1 and 2 hold %v, want %s and %s", seen, a, b)
	}
	_, err = world.Dave.Client.ListOrderIncident(&model.ListOrderIncidentRequest{GroupId: ptr(world.Team.ID)})
	wantError(t, err, 403, "OSM.01010002")
	_, err = bob.Client.ListOrderIncident(&model.ListOrderIncidentRequest{PageSize: ptr(int32(101))})
	wantError(t, err, 400, "OSM.01010001")
}

// raw sends a plain HTTP request as c, with a token from the IAM password
// login (for answers the SDK's models cannot show).
func (c *Customer) raw(t *testing.T, method, path string) (int, []byte, []byte, error) {
	t.Helper()
	login := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": c.Name, "password": c.Password, "domain": map[string]string{"name": c.Account.Name}}}}}}
	status, h, body, err := rawJSON("POST", world.BaseURL+"/v3/auth/tokens", nil, login)
	if err != nil || status != 201 {
		t.Fatalf("login as %s: %d %s %v", c.Name, status, body, err)
	}
	status, _, body, err = rawJSON(method, world.BaseURL+path, http.Header{"X-Auth-Token": {h.Get("X-Subject-Token")}}, nil)
	return status, nil, body, err
}
