package sdktest

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestDocumentedErrors: each documented error surfaces through the SDK as a
// *sdkerr.ServiceResponseError with status, OSM code, message and request id.
func TestDocumentedErrors(t *testing.T) {
	alice := world.Alice
	open := createCase(t, alice, "Errors "+randomHex(4))

	t.Run("UnknownCase", func(t *testing.T) {
		_, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: "TT000000000000"})
		wantError(t, err, 404, "OSM.01010015")
		_, err = alice.Client.ShowCaseStatus(&model.ShowCaseStatusRequest{CaseId: "TT000000000000"})
		wantError(t, err, 404, "OSM.01010015")
		_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: "TT000000000000", ActionId: "close"})
		wantError(t, err, 404, "OSM.01010015")
		_, err = alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: "TT000000000000", Body: &model.CreateMessageV2Req{Message: &model.CreateMessageDoV2{Content: "hello"}}})
		wantError(t, err, 404, "OSM.01010015")
		_, err = alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: "TT000000000000"})
		wantError(t, err, 404, "OSM.01010015")
	})
	t.Run("BadCaseAction", func(t *testing.T) {
		_, err := alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: open, ActionId: "reopen"})
		wantError(t, err, 400, "OSM.01010013")
		_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: open, ActionId: ""})
		wantError(t, err, 400, "OSM.01010013")
		if st := caseStatus(t, alice, open); st != 0 {
			t.Errorf("status after refused actions = %d; want 0", st)
		}
	})
	t.Run("BadAuthorizationAction", func(t *testing.T) {
		_, authID := engineerCaseWithRequest(t, alice, "bad actions")
		_, err := alice.Client.UpdateAuthorizations(&model.UpdateAuthorizationsRequest{AuthorizationId: authID, ActionId: ptr("grant")})
		wantError(t, err, 400, "OSM.01010018")
	})
	t.Run("LimitOutOfRange", func(t *testing.T) {
		_, err := alice.Client.ListCases(&model.ListCasesRequest{Limit: ptr(int32(101))})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.ListCases(&model.ListCasesRequest{Offset: ptr(int32(-1))})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: open, Limit: ptr(int32(101))})
		wantError(t, err, 400, "OSM.01010001")
		// ListAuthorizations documents limit 1..100.
		_, err = alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{Limit: ptr(int32(0))})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{Limit: ptr(int32(101))})
		wantError(t, err, 400, "OSM.01010001")
	})
	t.Run("MissingRequiredFields", func(t *testing.T) {
		// The SDK validates nothing; the server must.
		_, err := alice.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{BusinessTypeId: "1", SourceId: sourceAPI}})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.CreateCases(&model.CreateCasesRequest{})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.CreateRelations(&model.CreateRelationsRequest{CaseId: open, Body: &model.CreateRelationsReq{}})
		wantError(t, err, 400, "OSM.01010001")
		_, err = alice.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{})
		wantError(t, err, 400, "OSM.01010001")
	})
	t.Run("UnknownSeverity", func(t *testing.T) {
		_, err := alice.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
			BusinessTypeId: "1", SimpleDescription: "x", SourceId: sourceAPI, SeverityId: ptr("999"),
		}})
		wantError(t, err, 400, "OSM.01010006")
	})
	t.Run("BadTimeZone", func(t *testing.T) {
		_, err := alice.Client.ListCases(&model.ListCasesRequest{XTimeZone: ptr("Mars/Olympus_Mons")})
		wantError(t, err, 400, "OSM.01010001")
	})
	t.Run("GroupNotAMember", func(t *testing.T) {
		// carol is not in team: naming it is refused on lists.
		_, err := world.Carol.Client.ListCases(&model.ListCasesRequest{GroupId: ptr(world.Team.ID)})
		wantError(t, err, 403, "OSM.01010002")
		_, err = world.Carol.Client.ListAuthorizations(&model.ListAuthorizationsRequest{GroupId: ptr(world.Team.ID)})
		wantError(t, err, 403, "OSM.01010002")
	})
}

// TestWrongSecretKey: a request signed with the wrong SK is refused with
// the gateway's code, and changes nothing.
func TestWrongSecretKey(t *testing.T) {
	alice := world.Alice
	bad, err := newClient(world.BaseURL, alice.AccessKey, alice.Secret[:len(alice.Secret)-1]+flip(alice.Secret[len(alice.Secret)-1]), alice.Account.ID)
	must(t, err, "build client")
	_, err = bad.ListCases(&model.ListCasesRequest{})
	wantError(t, err, 401, "APIGW.0301")
	_, err = bad.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{BusinessTypeId: "1", SimpleDescription: "forged " + randomHex(4), SourceId: sourceAPI}})
	wantError(t, err, 401, "APIGW.0301")

	unknown, err := newClient(world.BaseURL, "NOSUCHACCESSKEY0000", alice.Secret, alice.Account.ID)
	must(t, err, "build client")
	_, err = unknown.ListCases(&model.ListCasesRequest{})
	wantError(t, err, 401, "APIGW.0301")

	// The right key with another account's domain id.
	mismatched, err := newClient(world.BaseURL, alice.AccessKey, alice.Secret, world.Globex.ID)
	must(t, err, "build client")
	_, err = mismatched.ListCases(&model.ListCasesRequest{})
	wantError(t, err, 401, "APIGW.0301")
}

func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

// TestDisabledKey: a key that worked stops working once disabled with the
// admin command, while the user's other key still works.
func TestDisabledKey(t *testing.T) {
	spare := world.AliceSpare
	// Enabling is idempotent; it makes the test repeatable (-count=2).
	if _, err := world.cli("accesskey", "enable", "--account", world.Acme.Name, "--user", "alice", "--access-key", spare.AccessKey); err != nil {
		t.Fatal(err)
	}
	resp, err := spare.Client.ListCases(&model.ListCasesRequest{Limit: ptr(int32(1))})
	must(t, err, "ListCases with the spare key")
	if resp.TotalCount == nil {
		t.Fatal("ListCases: no total_count")
	}
	if _, err := world.cli("accesskey", "disable", "--account", world.Acme.Name, "--user", "alice", "--access-key", spare.AccessKey); err != nil {
		t.Fatal(err)
	}
	_, err = spare.Client.ListCases(&model.ListCasesRequest{Limit: ptr(int32(1))})
	wantError(t, err, 401, "APIGW.0301")
	_, err = world.Alice.Client.ListCases(&model.ListCasesRequest{Limit: ptr(int32(1))})
	must(t, err, "ListCases with alice's other key")
}
