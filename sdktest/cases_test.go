package sdktest

import (
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestCaseLifecycle: CreateCases, ShowCaseDetail, ShowCaseStatus, ListCases
// and every UpdateCases action, through the SDK.
func TestCaseLifecycle(t *testing.T) {
	alice := world.Alice
	start := time.Now().UTC().Add(-time.Minute)
	description := "Disk latency spikes on web-1 " + randomHex(4)

	created, err := alice.Client.CreateCases(&model.CreateCasesRequest{
		XLanguage: ptr("en-us"),
		XTimeZone: ptr("GMT+8"),
		Body: &model.CreateOrderIncidentV2Req{
			BusinessTypeId:    "1",
			IncidentSubTypeId: ptr("3"),
			ProductCategoryId: ptr("b5f0be5c9639466184abf80e01f9fa1d"),
			RegionId:          ptr("cn-south-1"),
			SimpleDescription: description,
			SourceId:          sourceAPI,
			SeverityId:        ptr("3"),
			RemindMail:        ptr("ops@example.com"),
			RemindMobile:      ptr("13800000000"),
			RemindTime:        ptr("09:00-18:00"),
			AreaCode:          ptr("86"),
			ExtendsMap:        map[string]interface{}{"instance": "i-0042"},
		},
	})
	must(t, err, "CreateCases")
	id := str(created.IncidentId)
	if id == "" {
		t.Fatal("CreateCases returned no incident_id")
	}

	en, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, XLanguage: ptr("en-us")})
	must(t, err, "ShowCaseDetail")
	d := en.IncidentDetailInfo
	if d == nil {
		t.Fatal("ShowCaseDetail: no incident_detail_info")
	}
	if str(d.IncidentId) != id || d.Status != 0 || d.SimpleDescription != description {
		t.Errorf("detail: id %q status %d description %q; want %q 0 %q", str(d.IncidentId), d.Status, d.SimpleDescription, id, description)
	}
	if d.CustomerId != alice.Account.ID || str(d.XcustomerId) != alice.UserID || str(d.XcustomerName) != "alice" {
		t.Errorf("detail: customer %q / %q / %q; want %q / %q / alice", d.CustomerId, str(d.XcustomerId), str(d.XcustomerName), alice.Account.ID, alice.UserID)
	}
	if d.CreateTime == nil || time.Time(*d.CreateTime).Before(start) {
		t.Errorf("detail: create_time %v; want a time after %v", d.CreateTime, start)
	}
	if d.BusinessTypeName == "" || d.SourceName == "" || str(d.SeverityName) == "" {
		t.Errorf("detail: names missing: business type %q, source %q, severity %q", d.BusinessTypeName, d.SourceName, str(d.SeverityName))
	}
	if d.ExtInfo == nil || str(d.ExtInfo.RemindMail) != "ops@example.com" || str(d.ExtInfo.RemindTime) != "09:00-18:00" || str(d.ExtInfo.RemindMobile) != "13800000000" {
		t.Errorf("detail: ext_info %+v; want the reminder contact as submitted", d.ExtInfo)
	}
	if len(d.MessageList) != 1 {
		t.Fatalf("detail: %d messages; want the description as the first message", len(d.MessageList))
	}
	if m := d.MessageList[0]; str(m.Content) != description || i32(m.IsFirstMessage) != 1 || i32(m.Type) != 0 || str(m.MessageId) == "" {
		t.Errorf("first message %+v; want the description, is_first_message 1, type 0, an id", m)
	}

	zh, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, XLanguage: ptr("zh-cn")})
	must(t, err, "ShowCaseDetail zh-cn")
	if zh.IncidentDetailInfo.BusinessTypeName == "" || zh.IncidentDetailInfo.BusinessTypeName == d.BusinessTypeName {
		t.Errorf("business_type_name zh-cn %q, en-us %q; want two different names", zh.IncidentDetailInfo.BusinessTypeName, d.BusinessTypeName)
	}

	if st := caseStatus(t, alice, id); st != 0 {
		t.Errorf("ShowCaseStatus = %d; want 0 (pending acceptance)", st)
	}

	list, err := alice.Client.ListCases(&model.ListCasesRequest{IncidentId: ptr(id)})
	must(t, err, "ListCases")
	if i32(list.TotalCount) != 1 || list.IncidentInfoList == nil || len(*list.IncidentInfoList) != 1 {
		t.Fatalf("ListCases incident_id=%s: total %d, %v; want exactly that ticket", id, i32(list.TotalCount), list.IncidentInfoList)
	}
	if c := (*list.IncidentInfoList)[0]; c.IncidentId != id || c.SimpleDescription != description || c.CustomerId != alice.Account.ID || str(c.XcustomerName) != "alice" || c.CreateTime == nil {
		t.Errorf("ListCases item %+v; want ticket %s as created", c, id)
	}

	// press (urge): accepted once, then refused until the interval passes.
	pressed, err := alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "press", Body: &model.WorkOrderOperateV2Req{OperateDesc: ptr("please hurry")}})
	must(t, err, "UpdateCases press")
	if str(pressed.ErrorCode) != "" {
		t.Errorf("UpdateCases press: error_code %q in a success", str(pressed.ErrorCode))
	}
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "press"})
	wantError(t, err, 429, "OSM.01010004")

	// delete is only for final tickets.
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "delete"})
	wantError(t, err, 409, "OSM.01010014")

	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "cancel", Body: &model.WorkOrderOperateV2Req{OperateDesc: ptr("solved it myself")}})
	must(t, err, "UpdateCases cancel")
	if st := caseStatus(t, alice, id); st != 4 {
		t.Errorf("status after cancel = %d; want 4 (cancelled)", st)
	}
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "press"})
	wantError(t, err, 409, "OSM.01010014")

	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: id, ActionId: "delete"})
	must(t, err, "UpdateCases delete")
	_, err = alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	wantError(t, err, 404, "OSM.01010015")
	list, err = alice.Client.ListCases(&model.ListCasesRequest{IncidentId: ptr(id)})
	must(t, err, "ListCases after delete")
	if i32(list.TotalCount) != 0 {
		t.Errorf("ListCases finds a deleted ticket: total %d", i32(list.TotalCount))
	}

	// close, with an evaluation.
	other := createCase(t, alice, "Close me "+randomHex(4))
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: other, ActionId: "close", Body: &model.WorkOrderOperateV2Req{
		Judgement: ptr("quick and helpful"),
		IncidentSatisfactionList: &[]model.IncidentSatisfactionV2Do{
			{SatisfactionId: 1, SatisfactionValue: 5},
		},
	}})
	must(t, err, "UpdateCases close")
	if st := caseStatus(t, alice, other); st != 3 {
		t.Errorf("status after close = %d; want 3 (completed)", st)
	}
	closed, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: other})
	must(t, err, "ShowCaseDetail closed")
	if closed.IncidentDetailInfo.Judgement != "quick and helpful" {
		t.Errorf("judgement %q; want the evaluation given on close", closed.IncidentDetailInfo.Judgement)
	}
	if closed.IncidentDetailInfo.ResolveTime == nil {
		t.Error("a completed ticket has no resolve_time")
	}
}

// TestEngineerConversation: the engineer's side (support API) shows through
// the SDK: taking the ticket (status 1), a reply (message type 1), asking
// for feedback (status 17), and the customer's answer (back to 1).
func TestEngineerConversation(t *testing.T) {
	bob := world.Bob
	id := createCase(t, bob, "Please look at my load balancer "+randomHex(4))
	world.Engineer.takeCase(t, id)
	if st := caseStatus(t, bob, id); st != 1 {
		t.Errorf("status after the engineer took it = %d; want 1 (processing)", st)
	}
	world.Engineer.call(t, "POST", "/support/v1/cases/"+id+"/messages", map[string]string{"content": "Which listener is affected?"}, nil, 201)
	world.Engineer.call(t, "PUT", "/support/v1/cases/"+id+"/status", map[string]int{"status": 17}, nil, 200)
	if st := caseStatus(t, bob, id); st != 17 {
		t.Errorf("status after the engineer asked for feedback = %d; want 17", st)
	}

	list, err := bob.Client.ListMessages(&model.ListMessagesRequest{CaseId: id, XLanguage: ptr("en-us")})
	must(t, err, "ListMessages")
	var reply *model.QueryMessageInfoV2
	for i, m := range *list.MessageList {
		if str(m.Content) == "Which listener is affected?" {
			reply = &(*list.MessageList)[i]
		}
	}
	if reply == nil {
		t.Fatalf("the engineer's reply is not in ListMessages (%d messages)", i32(list.Count))
	}
	if i32(reply.Type) != 1 || i32(reply.ReplierType) != 1 || str(reply.ReplierName) != world.Engineer.Name {
		t.Errorf("engineer's reply: type %d, replier_type %d, replier_name %q; want 1, 1, %q", i32(reply.Type), i32(reply.ReplierType), str(reply.ReplierName), world.Engineer.Name)
	}

	_, err = bob.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: id, Body: &model.CreateMessageV2Req{Message: &model.CreateMessageDoV2{Content: "The HTTPS one."}}})
	must(t, err, "CreateMessages")
	if st := caseStatus(t, bob, id); st != 1 {
		t.Errorf("status after the customer answered = %d; want 1 (processing)", st)
	}
}

// TestMessages: CreateMessages and ListMessages, with an attachment.
func TestMessages(t *testing.T) {
	alice := world.Alice
	id := createCase(t, alice, "Messages "+randomHex(4))
	file := upload(t, alice, "trace.log", []byte("GET /index 502\n"), "message")

	resp, err := alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: id, Body: &model.CreateMessageV2Req{
		Message: &model.CreateMessageDoV2{Content: "Here is the trace.", AccessoryIds: &[]string{file}},
	}})
	must(t, err, "CreateMessages")
	if str(resp.ErrorCode) != "" {
		t.Errorf("CreateMessages: error_code %q in a success", str(resp.ErrorCode))
	}
	_, err = alice.Client.CreateMessages(&model.CreateMessagesRequest{CaseId: id, XLanguage: ptr("en-us"), XTimeZone: ptr("GMT-5"), Body: &model.CreateMessageV2Req{
		Message: &model.CreateMessageDoV2{Content: "Any news?"},
	}})
	must(t, err, "CreateMessages 2")

	list, err := alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: id, Offset: ptr(int32(0)), Limit: ptr(int32(10))})
	must(t, err, "ListMessages")
	if i32(list.Count) != 3 || list.MessageList == nil || len(*list.MessageList) != 3 {
		t.Fatalf("ListMessages: count %d, %v; want the description and two messages", i32(list.Count), list.MessageList)
	}
	byContent := map[string]model.QueryMessageInfoV2{}
	for _, m := range *list.MessageList {
		byContent[str(m.Content)] = m
		if i32(m.Type) != 0 || str(m.Replier) != alice.UserID || str(m.ReplierName) != "alice" || m.CreateTime == nil {
			t.Errorf("message %+v; want type 0 by alice with a create_time", m)
		}
	}
	withFile, ok := byContent["Here is the trace."]
	if !ok {
		t.Fatalf("ListMessages lost the message with the attachment: %v", byContent)
	}
	if withFile.AccessoryList == nil || len(*withFile.AccessoryList) != 1 ||
		str((*withFile.AccessoryList)[0].AccessoryId) != file || str((*withFile.AccessoryList)[0].FileActualName) != "trace.log" {
		t.Errorf("accessory_list %v; want %s trace.log", withFile.AccessoryList, file)
	}
	if _, ok := byContent["Any news?"]; !ok {
		t.Errorf("ListMessages lost the second message: %v", byContent)
	}

	page, err := alice.Client.ListMessages(&model.ListMessagesRequest{CaseId: id, Offset: ptr(int32(2)), Limit: ptr(int32(2))})
	must(t, err, "ListMessages page 2")
	if i32(page.Count) != 3 || page.MessageList == nil || len(*page.MessageList) != 1 {
		t.Errorf("ListMessages offset 2 limit 2: count %d, %v; want count 3 and one message", i32(page.Count), page.MessageList)
	}

	detail, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id})
	must(t, err, "ShowCaseDetail")
	if len(detail.IncidentDetailInfo.MessageList) != 3 {
		t.Errorf("ShowCaseDetail: %d messages; want 3", len(detail.IncidentDetailInfo.MessageList))
	}
}
