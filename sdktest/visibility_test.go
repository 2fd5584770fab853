package sdktest

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// listsCase reports whether c finds ticket id in ListCases, with groupID
// when not "".
func listsCase(t *testing.T, c *Customer, groupID, id string) bool {
	t.Helper()
	req := &model.ListCasesRequest{IncidentId: ptr(id)}
	if groupID != "" {
		req.GroupId = ptr(groupID)
	}
	resp, err := c.Client.ListCases(req)
	must(t, err, "ListCases as "+c.Name)
	n := 0
	if resp.IncidentInfoList != nil {
		for _, it := range *resp.IncidentInfoList {
			if it.IncidentId == id {
				n++
			}
		}
	}
	if int(i32(resp.TotalCount)) != n {
		t.Errorf("ListCases as %s: total_count %d but %d items", c.Name, i32(resp.TotalCount), n)
	}
	return n == 1
}

// TestGroupVisibility: sub-user alice sees bob's ticket only when she names
// a group both are in; naming another group does not help; another
// account never sees it; the account's master user sees it always.
func TestGroupVisibility(t *testing.T) {
	alice, bob, carol := world.Alice, world.Bob, world.Carol
	id := createCase(t, bob, "Bob's private ticket "+randomHex(4))

	if !listsCase(t, bob, "", id) {
		t.Error("bob does not find his own ticket")
	}
	if listsCase(t, alice, "", id) {
		t.Error("alice finds bob's ticket without a group_id")
	}
	if !listsCase(t, alice, world.Team.ID, id) {
		t.Error("alice does not find bob's ticket with group_id of team (both are members)")
	}
	if listsCase(t, alice, world.Side.ID, id) {
		t.Error("alice finds bob's ticket with group_id of side (bob is not a member)")
	}
	if listsCase(t, carol, world.Side.ID, id) {
		t.Error("carol finds bob's ticket through side")
	}
	if !listsCase(t, world.AcmeAdmin, "", id) {
		t.Error("the account's master user does not find bob's ticket")
	}
	if listsCase(t, world.Dave, "", id) || listsCase(t, world.GlobexAdmin, "", id) {
		t.Error("another account finds bob's ticket")
	}

	// Reads and writes by id follow the same rule.
	_, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, GroupId: ptr(world.Side.ID)})
	wantError(t, err, 404, "OSM.01010015")
	shown, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, GroupId: ptr(world.Team.ID)})
	must(t, err, "ShowCaseDetail with team")
	if str(shown.IncidentDetailInfo.IncidentId) != id || str(shown.IncidentDetailInfo.XcustomerName) != "bob" {
		t.Errorf("ShowCaseDetail with team: %q by %q; want %s by bob", str(shown.IncidentDetailInfo.IncidentId), str(shown.IncidentDetailInfo.XcustomerName), id)
	}
	_, err = carol.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, GroupId: ptr(world.Team.ID)})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, GroupId: ptr(world.Crew.ID)})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.ListCases(&model.ListCasesRequest{GroupId: ptr(world.Team.ID)})
	wantError(t, err, 403, "OSM.01010002")

	// Writes: without the group alice cannot post on bob's ticket; with it
	// she can, and bob sees her message.
	msg := &model.CreateMessageDoV2{Content: "alice chiming in"}
	_, err = alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: id, Body: &model.CreateMessageV2Req{Message: msg}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: id, Body: &model.CreateMessageV2Req{Message: msg, GroupId: ptr(world.Team.ID)}})
	must(t, err, "CreateMessages with team")
	msgs, err := bob.Client.ListMessages(&model.ListMessagesRequest{CaseId: id})
	must(t, err, "ListMessages as bob")
	found := false
	for _, m := range *msgs.MessageList {
		if str(m.Content) == "alice chiming in" && str(m.ReplierName) == "alice" {
			found = true
		}
	}
	if !found {
		t.Error("bob does not see alice's message on his ticket")
	}
	_, err = world.Dave.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "cancel"})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "cancel"})
	wantError(t, err, 404, "OSM.01010015")
	if st := caseStatus(t, bob, id); st != 0 {
		t.Errorf("status after refused cancels = %d; want 0", st)
	}

	// Authorizations follow their ticket.
	world.Engineer.takeCase(t, id)
	authID := world.Engineer.requestAuthorization(t, id, "group visibility")
	_, err = alice.Client.ShowAuthorizationDetail(&model.ShowAuthorizationDetailRequest{AuthorizationId: authID})
	wantError(t, err, 404, "OSM.01010001")
	detail, err := alice.Client.ShowAuthorizationDetail(&model.ShowAuthorizationDetailRequest{AuthorizationId: authID, GroupId: ptr(world.Team.ID)})
	must(t, err, "ShowAuthorizationDetail with team")
	if str(detail.Id) != authID || str(detail.IncidentId) != id {
		t.Errorf("ShowAuthorizationDetail with team: %q on %q; want %s on %s", str(detail.Id), str(detail.IncidentId), authID, id)
	}
	list, err := alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(id), GroupId: ptr(world.Team.ID), SubCustomerName: ptr("bob")})
	must(t, err, "ListAuthorizations with team")
	if i32(list.Count) != 1 {
		t.Errorf("ListAuthorizations with team, sub_customer_name bob: count %d; want 1", i32(list.Count))
	}
	none, err := alice.Client.ListAuthorizations(&model.ListAuthorizationsRequest{IncidentId: ptr(id)})
	must(t, err, "ListAuthorizations without group")
	if i32(none.Count) != 0 {
		t.Errorf("ListAuthorizations without group: count %d; want 0", i32(none.Count))
	}
}

// TestCasePaging: offset/limit and total_count on ListCases, for a user
// with exactly five tickets.
func TestCasePaging(t *testing.T) {
	pager := world.Pager
	before, err := pager.Client.ListCases(&model.ListCasesRequest{})
	must(t, err, "ListCases")
	base := i32(before.TotalCount)
	if base < 0 {
		t.Fatal("ListCases: no total_count")
	}
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		want[createCase(t, pager, "Paging "+randomHex(4))] = true
	}
	total := base + 5
	seen := map[string]bool{}
	for offset := int32(0); offset < total; offset += 2 {
		resp, err := pager.Client.ListCases(&model.ListCasesRequest{Offset: ptr(offset), Limit: ptr(int32(2))})
		must(t, err, "ListCases page")
		if i32(resp.TotalCount) != total {
			t.Errorf("offset %d: total_count %d; want %d", offset, i32(resp.TotalCount), total)
		}
		wantLen := int(min(2, total-offset))
		if resp.IncidentInfoList == nil || len(*resp.IncidentInfoList) != wantLen {
			t.Fatalf("offset %d limit 2: %v; want %d items", offset, resp.IncidentInfoList, wantLen)
		}
		for _, c := range *resp.IncidentInfoList {
			if seen[c.IncidentId] {
				t.Errorf("ticket %s on two pages", c.IncidentId)
			}
			seen[c.IncidentId] = true
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("ticket %s on no page", id)
		}
	}
	past, err := pager.Client.ListCases(&model.ListCasesRequest{Offset: ptr(total), Limit: ptr(int32(2))})
	must(t, err, "ListCases past the end")
	if i32(past.TotalCount) != total || (past.IncidentInfoList != nil && len(*past.IncidentInfoList) != 0) {
		t.Errorf("past the end: total %d, %v; want %d and no items", i32(past.TotalCount), past.IncidentInfoList, total)
	}

	// Filters narrow total_count too.
	oneID := ""
	for id := range want {
		oneID = id
		break
	}
	_, err = pager.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: oneID, ActionId: "cancel"})
	must(t, err, "cancel")
	cancelled, err := pager.Client.ListCases(&model.ListCasesRequest{Status: ptr(int32(4))})
	must(t, err, "ListCases status=4")
	if i32(cancelled.TotalCount) < 1 {
		t.Errorf("ListCases status=4: total %d; want at least the cancelled one", i32(cancelled.TotalCount))
	}
	for _, c := range *cancelled.IncidentInfoList {
		if c.Status != 4 {
			t.Errorf("ListCases status=4 returned %s with status %d", c.IncidentId, c.Status)
		}
	}
}
