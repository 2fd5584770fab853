package sdktest

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

func caseScores(t *testing.T, c *Customer, id string) []model.IncidentSatisfactionV2Do {
	t.Helper()
	d, err := c.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: id, XLanguage: ptr("en-us")})
	must(t, err, "ShowCaseDetail")
	if d.IncidentDetailInfo == nil || d.IncidentDetailInfo.IncidentSatisfaction == nil {
		t.Fatalf("ShowCaseDetail: no incident_satisfaction")
	}
	return d.IncidentDetailInfo.IncidentSatisfaction
}

// TestScores: the scores sent with close and with CreateScores are stored
// once, checked against the dimensions, and shown in ShowCaseDetail.
func TestScores(t *testing.T) {
	alice := world.Alice
	sat := func(id, value int32) model.IncidentSatisfactionV2Do {
		return model.IncidentSatisfactionV2Do{SatisfactionId: id, SatisfactionValue: value}
	}

	// close with scores.
	closed := createCase(t, alice, "rated on close "+randomHex(4))
	if got := caseScores(t, alice, closed); len(got) != 0 {
		t.Fatalf("scores before any: %v", got)
	}
	list := []model.IncidentSatisfactionV2Do{sat(1, 4), sat(3, 5)}
	list[0].SatisfactionName = ptr("Response speed")
	list[0].PerValue = ptr(int32(5))
	_, err := alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: closed, ActionId: "close",
		Body: &model.WorkOrderOperateV2Req{Judgement: ptr("quick"), IncidentSatisfactionList: &list}})
	must(t, err, "close with scores")
	got := caseScores(t, alice, closed)
	if len(got) != 2 || got[0].SatisfactionId != 1 || got[0].SatisfactionValue != 4 || str(got[0].SatisfactionName) != "Response speed" ||
		got[1].SatisfactionId != 3 || got[1].SatisfactionValue != 5 || i32(got[1].PerValue) != 5 || str(got[1].SatCategoryName) != "Overall" {
		t.Errorf("scores after close: %+v", got)
	}
	// Rated once: CreateScores on it is refused and changes nothing.
	_, err = alice.Client.CreateScores(&model.CreateScoresRequest{CaseId: closed, Body: &model.CreateScoreV2Req{IncidentSatisfactionList: []model.IncidentSatisfactionV2Do{sat(2, 1)}}})
	wantError(t, err, 409, "OSM.01010014")
	if got := caseScores(t, alice, closed); len(got) != 2 {
		t.Errorf("after the refused second rating: %+v", got)
	}

	// CreateScores on a completed ticket, after a close without scores.
	later := createCase(t, alice, "rated later "+randomHex(4))
	_, err = alice.Client.CreateScores(&model.CreateScoresRequest{CaseId: later, Body: &model.CreateScoreV2Req{IncidentSatisfactionList: []model.IncidentSatisfactionV2Do{sat(2, 3)}}})
	wantError(t, err, 409, "OSM.01010014") // still open
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: later, ActionId: "close", Body: &model.WorkOrderOperateV2Req{}})
	must(t, err, "close")
	for name, bad := range map[string][]model.IncidentSatisfactionV2Do{
		"unknown dimension": {sat(42, 1)},
		"above per_value":   {sat(2, 6)},
		"twice":             {sat(2, 1), sat(2, 2)},
		"wrong name":        {{SatisfactionId: 2, SatisfactionValue: 1, SatisfactionName: ptr("Speed")}},
		"wrong per_value":   {{SatisfactionId: 2, SatisfactionValue: 1, PerValue: ptr(int32(10))}},
		"wrong category":    {{SatisfactionId: 2, SatisfactionValue: 1, SatCategoryId: ptr("2")}},
		"empty":             {},
	} {
		_, err := alice.Client.CreateScores(&model.CreateScoresRequest{CaseId: later, Body: &model.CreateScoreV2Req{IncidentSatisfactionList: bad}})
		if err == nil {
			t.Fatalf("%s: CreateScores succeeded", name)
		}
		wantError(t, err, 400, "OSM.01010001")
	}
	if got := caseScores(t, alice, later); len(got) != 0 {
		t.Fatalf("refused ratings stored: %+v", got)
	}
	_, err = alice.Client.CreateScores(&model.CreateScoresRequest{CaseId: later, Body: &model.CreateScoreV2Req{
		Judgement: "solved", IncidentSatisfactionList: []model.IncidentSatisfactionV2Do{sat(2, 0)}}})
	must(t, err, "CreateScores")
	d, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: later})
	must(t, err, "ShowCaseDetail")
	if s := d.IncidentDetailInfo.IncidentSatisfaction; len(s) != 1 || s[0].SatisfactionId != 2 || s[0].SatisfactionValue != 0 ||
		str(s[0].SatisfactionName) != "专业程度" || d.IncidentDetailInfo.Judgement != "solved" {
		t.Errorf("after CreateScores: %+v, judgement %q", s, d.IncidentDetailInfo.Judgement)
	}

	// Scores only come with close.
	open := createCase(t, alice, "cancelled "+randomHex(4))
	one := []model.IncidentSatisfactionV2Do{sat(1, 1)}
	_, err = alice.Client.UpdateCases(&model.UpdateCasesRequest{CaseId: open, ActionId: "cancel", Body: &model.WorkOrderOperateV2Req{IncidentSatisfactionList: &one}})
	wantError(t, err, 400, "OSM.01010001")
	if caseStatus(t, alice, open) != 0 {
		t.Errorf("a refused cancel changed the ticket")
	}

	// Another account's ticket, and a stranger in the same account, see
	// nothing to rate.
	_, err = world.Dave.Client.CreateScores(&model.CreateScoresRequest{CaseId: later, Body: &model.CreateScoreV2Req{IncidentSatisfactionList: one}})
	wantError(t, err, 404, "OSM.01010015")
	_, err = world.Carol.Client.CreateScores(&model.CreateScoresRequest{CaseId: later, Body: &model.CreateScoreV2Req{IncidentSatisfactionList: one}})
	wantError(t, err, 404, "OSM.01010015")
}
