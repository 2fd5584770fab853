package sdktest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// feedSettle is a little more than casebook.FeedSettle: how long a message
// waits before ListNewInstantMessages delivers it.
const feedSettle = 1200 * time.Millisecond

// unreadOf returns the unread count of each ticket.
func unreadOf(t *testing.T, c *Customer, ids ...string) map[string]int32 {
	t.Helper()
	resp, err := c.Client.ListUnreadNewInstantMessages(&model.ListUnreadNewInstantMessagesRequest{CaseIds: ids})
	must(t, err, "ListUnreadNewInstantMessages")
	out := map[string]int32{}
	for _, u := range *resp.Imunread {
		out[str(u.IncidentId)] = i32(u.UnreadNum)
	}
	return out
}

// TestInstantMessages: the feed through the SDK: a poll over two tickets
// and its cursor, unread counts and marking read, scrolling back, and the
// visibility and limit errors.
func TestInstantMessages(t *testing.T) {
	alice := world.Alice
	c1 := createCase(t, alice, "Feed one "+randomHex(4))
	c2 := createCase(t, alice, "Feed two "+randomHex(4))
	world.Engineer.call(t, "POST", "/support/v1/cases/"+c1+"/messages", map[string]string{"content": "Which region?"}, nil, 201)
	time.Sleep(feedSettle)

	resp, err := alice.Client.ListNewInstantMessages(&model.ListNewInstantMessagesRequest{CaseIds: []string{c1, c2}})
	must(t, err, "ListNewInstantMessages")
	got := map[string][]string{}
	for _, im := range *resp.Immsg {
		for _, m := range *im.MessageList {
			got[str(im.IncidentId)] = append(got[str(im.IncidentId)], str(m.Content))
		}
	}
	if len(got[c1]) != 2 || got[c1][1] != "Which region?" || len(got[c2]) != 1 || len(*resp.Imstatus) != 2 {
		t.Fatalf("first poll: %v, %d statuses", got, len(*resp.Imstatus))
	}
	cursor := str(resp.LastMessageTimeId)
	if cursor == "" {
		t.Fatal("no last_message_time_id")
	}
	again, err := alice.Client.ListNewInstantMessages(&model.ListNewInstantMessagesRequest{CaseIds: []string{c1, c2}, LastMessageTimeId: &cursor})
	must(t, err, "ListNewInstantMessages with the cursor")
	if len(*again.Immsg) != 0 {
		t.Fatalf("poll with the cursor: %d tickets with messages", len(*again.Immsg))
	}

	// Unread: the engineer's reply on c1; marking read clears it.
	if u := unreadOf(t, alice, c1, c2); u[c1] != 1 || u[c2] != 0 {
		t.Fatalf("unread = %v, want c1:1 c2:0", u)
	}
	_, err = alice.Client.UpdateNewInstantMessagesRead(&model.UpdateNewInstantMessagesReadRequest{CaseId: c1, Body: &model.UpdateUnreadNewInstantMsgV2Req{}})
	must(t, err, "UpdateNewInstantMessagesRead")
	if u := unreadOf(t, alice, c1, c2); u[c1] != 0 {
		t.Fatalf("unread after marking read = %v", u)
	}

	// Scrolling back from the reply: the description.
	msgs, err := alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: c1})
	must(t, err, "ListMessages")
	reply := (*msgs.MessageList)[1]
	replyMS := time.Time(*reply.CreateTime).UnixMilli()
	older, err := alice.Client.ListMoreInstantMessages(&model.ListMoreInstantMessagesRequest{CaseId: c1, CreateTime: fmt.Sprint(replyMS), Type: 1, Limit: 10})
	must(t, err, "ListMoreInstantMessages")
	if i32(older.Count) != 1 || !strings.HasPrefix(str((*older.MessageList)[0].Content), "Feed one") {
		t.Fatalf("older than the reply: %d messages", i32(older.Count))
	}
	_, err = alice.Client.ListMoreInstantMessages(&model.ListMoreInstantMessagesRequest{CaseId: c1, CreateTime: fmt.Sprint(replyMS), Type: 1, Limit: 101})
	wantError(t, err, 400, "OSM.01010001")
	_, err = alice.Client.ListMoreInstantMessages(&model.ListMoreInstantMessagesRequest{CaseId: c1, CreateTime: fmt.Sprint(replyMS), Type: 2, Limit: 10})
	wantError(t, err, 400, "OSM.01010001")

	// Visibility: another account's ticket, alone or among the caller's
	// own, answers like a missing ticket.
	daves := createCase(t, world.Dave, "Dave's "+randomHex(4))
	_, err = world.Dave.Client.ListNewInstantMessages(&model.ListNewInstantMessagesRequest{CaseIds: []string{c1}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.ListUnreadNewInstantMessages(&model.ListUnreadNewInstantMessagesRequest{CaseIds: []string{c1, daves}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Dave.Client.UpdateNewInstantMessagesRead(&model.UpdateNewInstantMessagesReadRequest{CaseId: c1, Body: &model.UpdateUnreadNewInstantMsgV2Req{}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.ListNewInstantMessages(&model.ListNewInstantMessagesRequest{CaseIds: []string{c1}, LastMessageTimeId: ptr("not-a-cursor")})
	wantError(t, err, 400, "OSM.01010001")
}

// TestRevokeMessage: a customer withdraws their own message through the
// SDK, naming it by its create_time; it is gone from the ticket.
func TestRevokeMessage(t *testing.T) {
	alice := world.Alice
	caseID := createCase(t, alice, "Revoke "+randomHex(4))
	time.Sleep(5 * time.Millisecond) // a millisecond of its own
	_, err := alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: caseID, Body: &model.CreateMessageV2Req{
		Message: &model.CreateMessageDoV2{Content: "oops, wrong ticket"},
	}})
	must(t, err, "CreateMessages")
	msgs, err := alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: caseID})
	must(t, err, "ListMessages")
	first, mine := (*msgs.MessageList)[0], (*msgs.MessageList)[1]
	mineMS := fmt.Sprint(time.Time(*mine.CreateTime).UnixMilli())

	// Another user of the account without the group: not found.
	_, err = world.Bob.Client.RevokeMessage(&model.RevokeMessageRequest{CaseId: caseID, MessageId: mineMS})
	wantError(t, err, 404, "OSM.01010015")
	// The description cannot be withdrawn.
	_, err = alice.Client.RevokeMessage(&model.RevokeMessageRequest{CaseId: caseID, MessageId: fmt.Sprint(time.Time(*first.CreateTime).UnixMilli())})
	wantError(t, err, 409, "OSM.01010014")

	_, err = alice.Client.RevokeMessage(&model.RevokeMessageRequest{CaseId: caseID, MessageId: mineMS})
	must(t, err, "RevokeMessage")
	msgs, err = alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: caseID})
	must(t, err, "ListMessages")
	if i32(msgs.Count) != 1 {
		t.Fatalf("after RevokeMessage: %d messages, want the description only", i32(msgs.Count))
	}
	_, err = alice.Client.RevokeMessage(&model.RevokeMessageRequest{CaseId: caseID, MessageId: mineMS})
	wantError(t, err, 404, "OSM.01010001")
}

// TestCaseOperateLogs: the ticket's history through the SDK, including the
// engineer's reads of the grant's credentials (who and when, never what).
func TestCaseOperateLogs(t *testing.T) {
	alice := world.Alice
	caseID := createCase(t, alice, "History "+randomHex(4))
	world.Engineer.takeCase(t, caseID)
	authID := world.Engineer.requestAuthorization(t, caseID, "Let me look")
	password := confirmHost(t, alice, authID)
	if status, _ := world.Engineer.credentials(t, authID); status != 200 {
		t.Fatalf("credentials: HTTP %d", status)
	}
	_, err := alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: caseID, ActionId: "press", Body: &model.WorkOrderOperateV2Req{OperateDesc: ptr("please hurry")}})
	must(t, err, "UpdateCases press")

	resp, err := alice.Client.ListCaseOperateLogs(&model.ListCaseOperateLogsRequest{CaseId: caseID, Limit: ptr(int32(100)), XLanguage: ptr("en-us")})
	must(t, err, "ListCaseOperateLogs")
	var types []int32
	for _, e := range *resp.IncidentOperateLogList {
		types = append(types, i32(e.OperateType))
		if strings.Contains(str(e.OperateDesc), password) {
			t.Errorf("operate_desc shows the password: %q", str(e.OperateDesc))
		}
		if i32(e.OperateType) == 1053 && (i32(e.OperatorType) != 1 || str(e.OperatorName) != world.Engineer.Name || e.TimestampOperateTime == nil) {
			t.Errorf("credential read entry: type %d, name %q", i32(e.OperatorType), str(e.OperatorName))
		}
		if i32(e.OperateType) == 2 && str(e.OperateDesc) != "Urged the case: please hurry" {
			t.Errorf("urge entry: %q", str(e.OperateDesc))
		}
	}
	want := []int32{0, 1001, 1050, 73, 1053, 2}
	if fmt.Sprint(types) != fmt.Sprint(want) || i32(resp.TotalCount) != int32(len(want)) {
		t.Fatalf("operate types %v (total %d), want %v", types, i32(resp.TotalCount), want)
	}

	_, err = world.Dave.Client.ListCaseOperateLogs(&model.ListCaseOperateLogsRequest{CaseId: caseID})
	wantError(t, err, 404, "OSM.01010015")
	_, err = alice.Client.ListCaseOperateLogs(&model.ListCaseOperateLogsRequest{CaseId: caseID, Limit: ptr(int32(101))})
	wantError(t, err, 400, "OSM.01010001")
}
