package sdktest

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// The five seed pages' request examples, sent through the SDK with the
// example's own values (which name nothing that exists in a fresh account,
// so the documented "not found" or empty answers come back), then in the
// example's shape with real ids.

// TestSeedListAccessoryAccessUrls: seed 000, GET .../accessorys/access-urls
// {"group_id":"1","accessory_ids":["1","2"]} (the SDK sends them as query
// parameters).
func TestSeedListAccessoryAccessUrls(t *testing.T) {
	alice := world.Alice
	resp, err := alice.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{GroupId: ptr("1"), AccessoryIds: []string{"1", "2"}})
	must(t, err, "ListAccessoryAccessUrls (example values)")
	if resp.AccessoryUrls != nil && len(*resp.AccessoryUrls) != 0 {
		t.Errorf("example ids 1 and 2 in group 1 returned links: %v", *resp.AccessoryUrls)
	}

	// The same shape with a real group: bob's files, seen by alice through team.
	one := upload(t, world.Bob, "one.txt", []byte("one"), "incident")
	two := upload(t, world.Bob, "two.txt", []byte("two"), "incident")
	caseID := createCase(t, world.Bob, "seed 000 "+randomHex(4))
	_, err = world.Bob.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: caseID, Body: &model.CreateMessageV2Req{
		Message: &model.CreateMessageDoV2{Content: "files", AccessoryIds: &[]string{one, two}},
	}})
	must(t, err, "CreateMessages")
	resp, err = alice.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{GroupId: ptr(world.Team.ID), AccessoryIds: []string{one, two}, XLanguage: ptr("en-us"), XTimeZone: ptr("GMT+8")})
	must(t, err, "ListAccessoryAccessUrls (team)")
	var got []string
	if resp.AccessoryUrls != nil {
		for _, u := range *resp.AccessoryUrls {
			if str(u.AccessoryUrl) == "" {
				t.Errorf("link for %s is empty", str(u.AccessoryId))
			}
			got = append(got, str(u.AccessoryId))
		}
	}
	sort.Strings(got)
	want := []string{one, two}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("links for %v; want %v", got, want)
	}
	// DownloadAccessories follows the same rule.
	if got := download(t, alice, one, world.Team.ID); string(got) != "one" {
		t.Errorf("alice downloads bob's one.txt through team: %q", got)
	}
	_, err = alice.Client.DownloadAccessories(&model.DownloadAccessoriesRequest{AccessoryId: one})
	wantError(t, err, 404, "OSM.01010001")
	// Without the group, alice gets no link to bob's files.
	resp, err = alice.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{AccessoryIds: []string{one, two}})
	must(t, err, "ListAccessoryAccessUrls (no group)")
	if resp.AccessoryUrls != nil && len(*resp.AccessoryUrls) != 0 {
		t.Errorf("alice got links to bob's files without the group: %v", *resp.AccessoryUrls)
	}
}

// TestSeedListAuthorizations: seed 001, GET .../authorizations?incident_id=test-123.
// The example's answer has "count":"123" (a string); the SDK needs a
// number, so a decodable count proves the server emits one.
func TestSeedListAuthorizations(t *testing.T) {
	resp, err := world.Carol.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr("test-123")})
	must(t, err, "ListAuthorizations incident_id=test-123")
	if resp.Count == nil || *resp.Count != 0 {
		t.Errorf("count %v; want 0 for an unknown ticket", resp.Count)
	}
	if resp.IncidentAuthList != nil && len(*resp.IncidentAuthList) != 0 {
		t.Errorf("incident_auth_list %v; want empty", *resp.IncidentAuthList)
	}

	caseID, authID := engineerCaseWithRequest(t, world.Carol, "seed 001")
	resp, err = world.Carol.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(caseID)})
	must(t, err, "ListAuthorizations (real ticket)")
	if i32(resp.Count) != 1 || str((*resp.IncidentAuthList)[0].Id) != authID {
		t.Fatalf("count %d; want the one authorization %s", i32(resp.Count), authID)
	}
	// The example's fields, with the SDK's types: times decode as SdkTime,
	// reject_reason is null while pending.
	it := (*resp.IncidentAuthList)[0]
	if it.CreateTime == nil || it.RejectReason != nil || it.ContentOfAuthLetter == nil {
		t.Errorf("item %+v: want create_time, a null reject_reason and content_of_auth_letter", it)
	}
}

// TestSeedCreateRelations: seed 002, POST .../cases/case-123/relations
// {"related_id_list":"123456","group_id":"123456"} - the SDK can only send
// the list as an array.
func TestSeedCreateRelations(t *testing.T) {
	carol := world.Carol
	_, err := carol.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: "case-123", Body: &model.CreateRelationsReq{RelatedIdList: []string{"123456"}, GroupId: ptr("123456")}})
	wantError(t, err, 404, "OSM.01010015")

	// The shape with real ids: carol relates alice's ticket to hers
	// through side, the group they share.
	mine := createCase(t, carol, "seed 002 "+randomHex(4))
	alices := createCase(t, world.Alice, "seed 002 alice "+randomHex(4))
	_, err = carol.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: mine, Body: &model.CreateRelationsReq{RelatedIdList: []string{alices}, GroupId: ptr(world.Side.ID)}})
	must(t, err, "CreateRelations through side")
	// ListRelation has no group_id in the SDK, and a relation shows only
	// when its related ticket is visible: the master user sees it.
	if got := relatedIDs(t, world.AcmeAdmin, mine); len(got) != 1 || got[0] != alices {
		t.Errorf("relations of %s: %v; want [%s]", mine, got, alices)
	}
	// Without the group alice's ticket is invisible to carol.
	other := createCase(t, carol, "seed 002 other "+randomHex(4))
	_, err = carol.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: other, Body: &model.CreateRelationsReq{RelatedIdList: []string{alices}}})
	wantError(t, err, 404, "OSM.01010015")
}

// TestSeedShowAuthorizationDetail: seed 003, GET .../authorizations/Auth-123456?group_id=123.
func TestSeedShowAuthorizationDetail(t *testing.T) {
	_, err := world.Carol.Client.ShowAuthorizationDetail(&model.ShowAuthorizationDetailRequest{AuthorizationId: "Auth-123456", GroupId: ptr("123")})
	wantError(t, err, 404, "OSM.01010001")

	// Real: alice reads carol's request through side; the detail item ids
	// are numbers (int64), the authorization id a string.
	_, authID := engineerCaseWithRequest(t, world.Carol, "seed 003")
	d, err := world.Alice.Client.ShowAuthorizationDetail(&model.ShowAuthorizationDetailRequest{AuthorizationId: authID, GroupId: ptr(world.Side.ID), XLanguage: ptr("zh-cn")})
	must(t, err, "ShowAuthorizationDetail through side")
	if str(d.Id) != authID || i32(d.Status) != 0 || str(d.ResourceTypeName) != resourceType2ZH || str(d.VisitTypeName) != visitType4ZH {
		t.Errorf("detail %s: status %d, %q / %q; want pending with the zh-cn names", str(d.Id), i32(d.Status), str(d.ResourceTypeName), str(d.VisitTypeName))
	}
	if d.RejectReason != nil || d.AgencyName != nil || d.AuthHandlerName != nil {
		t.Errorf("pending detail: reject_reason %v, agency_name %v, auth_handler_name %v; want null", d.RejectReason, d.AgencyName, d.AuthHandlerName)
	}
	if d.IncidentAuthDetailList == nil || len(*d.IncidentAuthDetailList) != 2 || (*d.IncidentAuthDetailList)[0].Id == nil {
		t.Errorf("incident_auth_detail_list %v; want two items with numeric ids", d.IncidentAuthDetailList)
	}
}

// TestSeedConfirmAuthorizations: seed 004, PUT .../authorizations/Auth-123456
// with auth_detail_id 123, port 80, account/password "test", times 123 and
// 123, group_id and agency_id "test".
func TestSeedConfirmAuthorizations(t *testing.T) {
	carol := world.Carol
	example := func(authID string, detailID int64, groupID string, effective, expire int64) *model.ConfirmAuthorizationsRequest {
		return &model.ConfirmAuthorizationsRequest{AuthorizationId: authID, Body: &model.AgreeTenantAuthorizationV2Req{
			AuthDetailList:    &[]model.TenantAgreeAuthDetailV2{{AuthDetailId: detailID, Port: ptr(int32(80)), Account: ptr("test"), Password: ptr("test")}},
			AuthEffectiveTime: ptr(effective),
			AuthExpireTime:    ptr(expire),
			GroupId:           ptr(groupID),
			AgencyId:          ptr("test"),
		}}
	}
	_, err := carol.Client.ConfirmAuthorizations(example("Auth-123456", 123, "test", 123, 123))
	wantError(t, err, 404, "OSM.01010001")

	// A real request with the example's values: the window 123..123 ms is
	// refused and nothing changes.
	_, authID := engineerCaseWithRequest(t, carol, "seed 004")
	_, err = carol.Client.ConfirmAuthorizations(example(authID, 123, world.Side.ID, 123, 123))
	wantError(t, err, 400, "OSM.01010001")
	d := authDetail(t, carol, authID, "")
	if i32(d.Status) != 0 {
		t.Fatalf("status after a refused confirm = %d; want 0", i32(d.Status))
	}
	// A detail id that is not one of this request's items is refused too.
	now := time.Now()
	_, err = carol.Client.ConfirmAuthorizations(example(authID, 123, world.Side.ID, now.UnixMilli(), now.Add(time.Hour).UnixMilli()))
	wantError(t, err, 400, "OSM.01010001")

	// The example with a real detail id and a real window is granted.
	var hostID int64
	for _, it := range *d.IncidentAuthDetailList {
		if i32(it.Type) == 1 {
			hostID = *it.Id
		}
	}
	_, err = carol.Client.ConfirmAuthorizations(example(authID, hostID, world.Side.ID, now.UnixMilli(), now.Add(time.Hour).UnixMilli()))
	must(t, err, "ConfirmAuthorizations (example values, real ids)")
	d = authDetail(t, carol, authID, "")
	if i32(d.Status) != 1 || str(d.AgencyName) == "" {
		t.Errorf("after confirm: status %d, agency_name %q; want 1 and the agency", i32(d.Status), str(d.AgencyName))
	}
	for _, it := range *d.IncidentAuthDetailList {
		if *it.Id == hostID && (i32(it.Port) != 80 || str(it.Account) != "test") {
			t.Errorf("host item after confirm: port %d account %q; want 80 test", i32(it.Port), str(it.Account))
		}
	}
}
