package sdktest

import (
	"net/http"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// The names the docs' examples give resource type 2 and visit type 4, in
// the English and the Chinese pages.
const (
	resourceType2EN = "Huawei Cloud account"
	visitType4EN    = "Console log-in"
	resourceType2ZH = "华为云账号"
	visitType4ZH    = "控制台登录"
)

// engineerCaseWithRequest opens a ticket as c, has the engineer take it
// and ask for access, and returns both ids.
func engineerCaseWithRequest(t *testing.T, c *Customer, what string) (caseID, authID string) {
	t.Helper()
	caseID = createCase(t, c, what+" "+randomHex(4))
	world.Engineer.takeCase(t, caseID)
	authID = world.Engineer.requestAuthorization(t, caseID, "Need console access to check "+what)
	return caseID, authID
}

func authDetail(t *testing.T, c *Customer, id, lang string) *model.ShowAuthorizationDetailResponse {
	t.Helper()
	req := &model.ShowAuthorizationDetailRequest{AuthorizationId: id}
	if lang != "" {
		req.XLanguage = ptr(lang)
	}
	resp, err := c.Client.ShowAuthorizationDetail(req)
	must(t, err, "ShowAuthorizationDetail "+id)
	return resp
}

// TestAuthorizationGrant: ListAuthorizations, ShowAuthorizationDetail (in
// both languages), ConfirmAuthorizations with credentials the engineer
// then reads, a second confirm refused, and UpdateAuthorizations cancel,
// after which the credentials are gone.
func TestAuthorizationGrant(t *testing.T) {
	alice := world.Alice
	caseID, authID := engineerCaseWithRequest(t, alice, "the nginx config")

	list, err := alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(caseID), XLanguage: ptr("en-us"), XTimeZone: ptr("GMT+8")})
	must(t, err, "ListAuthorizations")
	if i32(list.Count) != 1 || list.IncidentAuthList == nil || len(*list.IncidentAuthList) != 1 {
		t.Fatalf("ListAuthorizations incident_id=%s: count %d, %v; want the one request", caseID, i32(list.Count), list.IncidentAuthList)
	}
	item := (*list.IncidentAuthList)[0]
	if str(item.Id) != authID || i32(item.Status) != 0 || str(item.IncidentId) != caseID {
		t.Errorf("list item: id %q status %d incident %q; want %s 0 %s", str(item.Id), i32(item.Status), str(item.IncidentId), authID, caseID)
	}
	if str(item.ResourceTypeId) != "2" || str(item.ResourceTypeName) != resourceType2EN || str(item.VisitTypeId) != "4" || str(item.VisitTypeName) != visitType4EN {
		t.Errorf("list item en-us: resource %q %q, visit %q %q; want 2 %q, 4 %q", str(item.ResourceTypeId), str(item.ResourceTypeName), str(item.VisitTypeId), str(item.VisitTypeName), resourceType2EN, visitType4EN)
	}
	if str(item.CustomerId) != alice.Account.ID || str(item.XCustomerId) != alice.UserID || str(item.XcustomerName) != "alice" || item.CreateTime == nil {
		t.Errorf("list item: customer %q / %q / %q, create_time %v; want alice's ids and a time", str(item.CustomerId), str(item.XCustomerId), str(item.XcustomerName), item.CreateTime)
	}
	if str(item.AuthDescribe) != "Need console access to check the nginx config" {
		t.Errorf("auth_describe %q; want the engineer's text", str(item.AuthDescribe))
	}

	zhList, err := alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(caseID), XLanguage: ptr("zh-cn")})
	must(t, err, "ListAuthorizations zh-cn")
	if it := (*zhList.IncidentAuthList)[0]; str(it.ResourceTypeName) != resourceType2ZH || str(it.VisitTypeName) != visitType4ZH {
		t.Errorf("list item zh-cn: %q / %q; want %q / %q", str(it.ResourceTypeName), str(it.VisitTypeName), resourceType2ZH, visitType4ZH)
	}

	en := authDetail(t, alice, authID, "en-us")
	zh := authDetail(t, alice, authID, "zh-cn")
	def := authDetail(t, alice, authID, "")
	if str(en.ResourceTypeName) != resourceType2EN || str(en.VisitTypeName) != visitType4EN {
		t.Errorf("detail en-us: %q / %q; want %q / %q", str(en.ResourceTypeName), str(en.VisitTypeName), resourceType2EN, visitType4EN)
	}
	if str(zh.ResourceTypeName) != resourceType2ZH || str(zh.VisitTypeName) != visitType4ZH {
		t.Errorf("detail zh-cn: %q / %q; want %q / %q", str(zh.ResourceTypeName), str(zh.VisitTypeName), resourceType2ZH, visitType4ZH)
	}
	if str(def.ResourceTypeName) != resourceType2ZH {
		t.Errorf("detail without X-Language: %q; want the zh-cn name (the documented default)", str(def.ResourceTypeName))
	}
	if str(en.Id) != authID || i32(en.Status) != 0 || str(en.IncidentId) != caseID || str(en.XcustomerName) != "alice" || str(en.ContentTypeId) != "1" || str(en.ContentTypeName) == "" {
		t.Errorf("detail: %+v", en)
	}
	if en.IncidentAuthDetailList == nil || len(*en.IncidentAuthDetailList) != 2 {
		t.Fatalf("detail: incident_auth_detail_list %v; want the two items asked for", en.IncidentAuthDetailList)
	}
	var console, host model.IncidentOrderAuthDetailInfoV2
	for _, d := range *en.IncidentAuthDetailList {
		switch i32(d.Type) {
		case 0:
			console = d
		case 1:
			host = d
		}
	}
	if console.Id == nil || host.Id == nil || *console.Id == *host.Id {
		t.Fatalf("detail items: %+v / %+v; want a console and a host item with distinct ids", console, host)
	}
	if i32(host.Port) != 22 || str(host.Account) != "root" || str(host.InstanceId) != "i-0042" || str(host.InstanceName) != "web-1" || str(host.RegionId) != "cn-south-1" {
		t.Errorf("host item %+v; want port 22, root, i-0042, web-1, cn-south-1", host)
	}

	// Confirm with a password for the host and a changed port.
	password := "S3cret-" + randomHex(8)
	noteSecret(password)
	now := time.Now()
	confirmed, err := alice.Client.ConfirmAuthorizations(&model.ConfirmAuthorizationsRequest{AuthorizationId: authID, Body: &model.AgreeTenantAuthorizationV2Req{
		AuthDetailList: &[]model.TenantAgreeAuthDetailV2{
			{AuthDetailId: *host.Id, Port: ptr(int32(2222)), Account: ptr("ops"), Password: ptr(password)},
		},
		AuthEffectiveTime: ptr(now.UnixMilli()),
		AuthExpireTime:    ptr(now.Add(2 * time.Hour).UnixMilli()),
	}})
	must(t, err, "ConfirmAuthorizations")
	if str(confirmed.ErrorCode) != "" {
		t.Errorf("ConfirmAuthorizations: error_code %q in a success", str(confirmed.ErrorCode))
	}
	granted := authDetail(t, alice, authID, "en-us")
	if i32(granted.Status) != 1 || granted.AuthEffectiveTime == nil || granted.AuthExpireTime == nil {
		t.Fatalf("after confirm: status %d, window %v..%v; want 1 with a window", i32(granted.Status), granted.AuthEffectiveTime, granted.AuthExpireTime)
	}
	if got, want := time.Time(*granted.AuthExpireTime), now.Add(2*time.Hour).UTC(); got.Sub(want).Abs() > time.Second {
		t.Errorf("auth_expire_time %v; want %v (the epoch ms sent)", got, want)
	}
	if str(granted.AuthHandlerName) != "alice" {
		t.Errorf("auth_handler_name %q; want alice", str(granted.AuthHandlerName))
	}
	for _, d := range *granted.IncidentAuthDetailList {
		if *d.Id == *host.Id && (i32(d.Port) != 2222 || str(d.Account) != "ops") {
			t.Errorf("host item after confirm: port %d account %q; want 2222 ops", i32(d.Port), str(d.Account))
		}
	}

	// The engineer reads the password; the customer's API never shows it.
	status, creds := world.Engineer.credentials(t, authID)
	if status != http.StatusOK {
		t.Fatalf("engineer reads credentials of a grant in force: HTTP %d", status)
	}
	found := false
	for _, c := range creds {
		if c.AuthDetailID == *host.Id && c.Password == password && c.Account == "ops" && c.Port == 2222 {
			found = true
		}
	}
	if !found {
		t.Errorf("engineer's credentials lack the host password given on confirm (%d items)", len(creds))
	}

	// A second confirm is refused: the request is no longer pending.
	_, err = alice.Client.ConfirmAuthorizations(&model.ConfirmAuthorizationsRequest{AuthorizationId: authID, Body: &model.AgreeTenantAuthorizationV2Req{
		AuthDetailList:    &[]model.TenantAgreeAuthDetailV2{{AuthDetailId: *host.Id, Password: ptr(password)}},
		AuthEffectiveTime: ptr(now.UnixMilli()),
		AuthExpireTime:    ptr(now.Add(time.Hour).UnixMilli()),
	}})
	wantError(t, err, 409, "OSM.01010014")

	// Cancel the grant: status 5, the credentials are destroyed.
	cancelled, err := alice.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: authID, ActionId: ptr("cancel"), Body: &model.OperateAuthorizationV2Req{}})
	must(t, err, "UpdateAuthorizations cancel")
	if str(cancelled.ErrorCode) != "" {
		t.Errorf("UpdateAuthorizations cancel: error_code %q in a success", str(cancelled.ErrorCode))
	}
	if st := i32(authDetail(t, alice, authID, "").Status); st != 5 {
		t.Errorf("status after cancel = %d; want 5 (cancelled)", st)
	}
	if status, creds := world.Engineer.credentials(t, authID); status == http.StatusOK {
		t.Errorf("engineer still reads %d credentials of a cancelled grant", len(creds))
	}
	// Cancelled is final.
	_, err = alice.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: authID, ActionId: ptr("reject"), Body: &model.OperateAuthorizationV2Req{RejectReason: ptr("too late")}})
	wantError(t, err, 409, "OSM.01010014")
}

// TestAuthorizationRejectAndCancelPending: UpdateAuthorizations reject (with
// its reason shown back) and cancel of a pending request, and an unknown
// action.
func TestAuthorizationRejectAndCancelPending(t *testing.T) {
	bob := world.Bob
	_, rejectID := engineerCaseWithRequest(t, bob, "the database")
	_, err := bob.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: rejectID, ActionId: ptr("reject"), XLanguage: ptr("en-us"), XTimeZone: ptr("GMT+8"),
		Body: &model.OperateAuthorizationV2Req{RejectReason: ptr("Not during business hours.")}})
	must(t, err, "UpdateAuthorizations reject")
	d := authDetail(t, bob, rejectID, "en-us")
	if i32(d.Status) != 2 || str(d.RejectReason) != "Not during business hours." {
		t.Errorf("after reject: status %d, reject_reason %q; want 2 and the reason", i32(d.Status), str(d.RejectReason))
	}
	list, err := bob.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: d.IncidentId, Status: ptr(int32(2))})
	must(t, err, "ListAuthorizations status=2")
	if i32(list.Count) != 1 || str((*list.IncidentAuthList)[0].RejectReason) != "Not during business hours." {
		t.Errorf("ListAuthorizations status=2: count %d; want the rejected one with its reason", i32(list.Count))
	}

	_, cancelID := engineerCaseWithRequest(t, bob, "the cache")
	_, err = bob.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: cancelID, ActionId: ptr("approve")})
	wantError(t, err, 400, "OSM.01010018")
	if st := i32(authDetail(t, bob, cancelID, "").Status); st != 0 {
		t.Errorf("status after an unknown action = %d; want 0 unchanged", st)
	}
	_, err = bob.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: cancelID, ActionId: ptr("cancel")})
	must(t, err, "UpdateAuthorizations cancel (pending)")
	if st := i32(authDetail(t, bob, cancelID, "").Status); st != 5 {
		t.Errorf("status after cancelling a pending request = %d; want 5", st)
	}
	// Confirming a cancelled request is refused.
	_, err = bob.Client.ConfirmAuthorizations(&model.ConfirmAuthorizationsRequest{AuthorizationId: cancelID, Body: &model.AgreeTenantAuthorizationV2Req{
		AgencyId:          ptr("ops-agency"),
		AuthEffectiveTime: ptr(time.Now().UnixMilli()),
		AuthExpireTime:    ptr(time.Now().Add(time.Hour).UnixMilli()),
	}})
	wantError(t, err, 409, "OSM.01010014")

	// Another account never sees them.
	_, err = world.Dave.Client.ShowAuthorizationDetail(&model.ShowAuthorizationDetailRequest{AuthorizationId: rejectID})
	wantError(t, err, 404, "OSM.01010001")
	_, err = world.Dave.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: cancelID, ActionId: ptr("reject"), Body: &model.OperateAuthorizationV2Req{RejectReason: ptr("x")}})
	wantError(t, err, 404, "OSM.01010001")
	daveList, err := world.Dave.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: d.IncidentId})
	must(t, err, "ListAuthorizations as dave")
	if i32(daveList.Count) != 0 {
		t.Errorf("dave lists %d of bob's authorizations", i32(daveList.Count))
	}
}

// TestAuthorizationPaging: offset/limit and count on ListAuthorizations.
func TestAuthorizationPaging(t *testing.T) {
	pager := world.Pager
	caseID := createCase(t, pager, "Three requests "+randomHex(4))
	world.Engineer.takeCase(t, caseID)
	want := map[string]bool{}
	for i := 0; i < 3; i++ {
		want[world.Engineer.requestAuthorization(t, caseID, "request "+randomHex(2))] = true
	}
	seen := map[string]bool{}
	for offset := int32(0); offset < 4; offset += 2 {
		resp, err := pager.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(caseID), Offset: ptr(offset), Limit: ptr(int32(2))})
		must(t, err, "ListAuthorizations page")
		if i32(resp.Count) != 3 {
			t.Errorf("offset %d: count %d; want 3", offset, i32(resp.Count))
		}
		wantLen := 2
		if offset == 2 {
			wantLen = 1
		}
		if resp.IncidentAuthList == nil || len(*resp.IncidentAuthList) != wantLen {
			t.Fatalf("offset %d limit 2: %v; want %d items", offset, resp.IncidentAuthList, wantLen)
		}
		for _, a := range *resp.IncidentAuthList {
			if seen[str(a.Id)] {
				t.Errorf("authorization %s on two pages", str(a.Id))
			}
			seen[str(a.Id)] = true
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("authorization %s on no page", id)
		}
	}
}

// confirmHost grants an authorization with a password for its host item
// and returns that password.
func confirmHost(t *testing.T, c *Customer, authID string) string {
	t.Helper()
	var hostID int64 = -1
	for _, d := range *authDetail(t, c, authID, "").IncidentAuthDetailList {
		if i32(d.Type) == 1 {
			hostID = *d.Id
		}
	}
	password := "Grant-" + randomHex(8)
	noteSecret(password)
	now := time.Now()
	_, err := c.Client.ConfirmAuthorizations(&model.ConfirmAuthorizationsRequest{AuthorizationId: authID, Body: &model.AgreeTenantAuthorizationV2Req{
		AuthDetailList:    &[]model.TenantAgreeAuthDetailV2{{AuthDetailId: hostID, Password: ptr(password)}},
		AuthEffectiveTime: ptr(now.UnixMilli()),
		AuthExpireTime:    ptr(now.Add(time.Hour).UnixMilli()),
	}})
	must(t, err, "ConfirmAuthorizations")
	return password
}

// TestAuthorizationEnds: a request the engineer withdraws reads as 4 and can
// no longer be confirmed; closing the ticket cancels its grant (5),
// withdraws its pending request (4), and destroys the credentials.
func TestAuthorizationEnds(t *testing.T) {
	carol := world.Carol
	_, withdrawn := engineerCaseWithRequest(t, carol, "the queue")
	world.Engineer.call(t, "POST", "/support/v1/authorizations/"+withdrawn+"/withdraw", nil, nil, http.StatusOK)
	if st := i32(authDetail(t, carol, withdrawn, "").Status); st != 4 {
		t.Errorf("status after the engineer withdrew = %d; want 4", st)
	}
	_, err := carol.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: withdrawn, ActionId: ptr("reject"), Body: &model.OperateAuthorizationV2Req{RejectReason: ptr("gone")}})
	wantError(t, err, 409, "OSM.01010014")

	caseID, granted := engineerCaseWithRequest(t, carol, "the disks")
	confirmHost(t, carol, granted)
	pending := world.Engineer.requestAuthorization(t, caseID, "and the network")
	if status, creds := world.Engineer.credentials(t, granted); status != http.StatusOK || len(creds) != 1 {
		t.Fatalf("credentials of the grant: HTTP %d, %d items; want 200 and one", status, len(creds))
	}

	_, err = carol.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: caseID, ActionId: "close"})
	must(t, err, "UpdateCases close")
	if st := i32(authDetail(t, carol, granted, "").Status); st != 5 {
		t.Errorf("grant after the ticket closed: status %d; want 5 (cancelled)", st)
	}
	if st := i32(authDetail(t, carol, pending, "").Status); st != 4 {
		t.Errorf("pending request after the ticket closed: status %d; want 4 (withdrawn)", st)
	}
	if status, creds := world.Engineer.credentials(t, granted); status == http.StatusOK {
		t.Errorf("engineer still reads %d credentials after the ticket closed", len(creds))
	}
	list, err := carol.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(caseID), Status: ptr(int32(1))})
	must(t, err, "ListAuthorizations status=1")
	if i32(list.Count) != 0 {
		t.Errorf("ListAuthorizations status=1 after close: count %d; want 0", i32(list.Count))
	}
}
