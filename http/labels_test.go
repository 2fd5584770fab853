package http

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

const labelsPath = "/v2/servicerequest/labels"

func caseLabelsPath(caseID string) string { return "/v2/servicerequest/cases/" + caseID + "/labels" }

type labelListResponse struct {
	TotalCount int `json:"total_count"`
	LabelList  []struct {
		LabelID int    `json:"label_id"`
		Name    string `json:"name"`
		Color   string `json:"color"`
	} `json:"label_list"`
}

// createLabel creates a label and returns its id.
func createLabel(t *testing.T, u *testUser, name, color string) int {
	t.Helper()
	var out struct {
		LabelID int `json:"label_id"`
	}
	u.Do("POST", labelsPath, map[string]string{"name": name, "color": color}).Expect(200).JSON(&out)
	if out.LabelID <= 0 {
		t.Fatalf("create label %q: id %d", name, out.LabelID)
	}
	return out.LabelID
}

func listLabels(t *testing.T, u *testUser, query string) labelListResponse {
	t.Helper()
	var out labelListResponse
	u.Do("GET", labelsPath+query, nil).Expect(200).JSON(&out)
	if out.LabelList == nil {
		t.Fatalf("label_list is missing")
	}
	return out
}

// caseLabelIDs lists a ticket's labels as the user sees them.
func caseLabelIDs(t *testing.T, u *testUser, caseID, query string) []int {
	t.Helper()
	var out struct {
		CaseLabelList []struct {
			LabelID int    `json:"label_id"`
			Name    string `json:"name"`
			Color   string `json:"color"`
		} `json:"case_label_list"`
	}
	u.Do("GET", caseLabelsPath(caseID)+query, nil).Expect(200).JSON(&out)
	if out.CaseLabelList == nil {
		t.Fatalf("case_label_list is missing")
	}
	ids := []int{}
	for _, l := range out.CaseLabelList {
		ids = append(ids, l.LabelID)
	}
	return ids
}

func idsQuery(name string, ids ...int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = name + "=" + strconv.Itoa(id)
	}
	return "?" + strings.Join(parts, "&")
}

func TestLabelsCRUD(t *testing.T) {
	f := newGrantFixture(t)
	urgent := createLabel(t, f.bob, "urgent", "#FF0000")
	waiting := createLabel(t, f.bob, "waiting on vendor", "#00aa11")

	got := listLabels(t, f.bob, "")
	if got.TotalCount != 2 || len(got.LabelList) != 2 || got.LabelList[0].Name != "urgent" || got.LabelList[0].Color != "#FF0000" ||
		got.LabelList[1].LabelID != waiting || got.LabelList[1].Color != "#00aa11" {
		t.Fatalf("list = %+v", got)
	}
	// Filters: a name substring, one id; paging.
	if got := listLabels(t, f.bob, "?name=vendor"); got.TotalCount != 1 || got.LabelList[0].LabelID != waiting {
		t.Errorf("name filter = %+v", got)
	}
	if got := listLabels(t, f.bob, "?label_id="+strconv.Itoa(urgent)); got.TotalCount != 1 || got.LabelList[0].Name != "urgent" {
		t.Errorf("id filter = %+v", got)
	}
	if got := listLabels(t, f.bob, "?offset=1&limit=1"); got.TotalCount != 2 || len(got.LabelList) != 1 || got.LabelList[0].LabelID != waiting {
		t.Errorf("page = %+v", got)
	}
	f.bob.Do("GET", labelsPath+"?limit=101", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", labelsPath+"?offset=-1", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", labelsPath+"?offset=2147483647", nil).Expect(200)
	f.bob.Do("GET", labelsPath+"?offset=2147483648", nil).ExpectError(400, "OSM.01010001")

	// Labels are personal: alice (same group) and xavier (another account)
	// see none of bob's, and bob's ids answer them like missing ones.
	if got := listLabels(t, f.alice, ""); got.TotalCount != 0 {
		t.Errorf("alice sees %+v", got)
	}
	if got := listLabels(t, f.acme.Master, ""); got.TotalCount != 0 {
		t.Errorf("the master user sees %+v", got)
	}
	for _, u := range []*testUser{f.alice, f.xavier, f.acme.Master} {
		u.Do("PUT", labelsPath+"/"+strconv.Itoa(urgent), map[string]string{"name": "mine", "color": "#000000"}).ExpectError(404, "OSM.01010001")
		u.Do("DELETE", labelsPath+"/"+strconv.Itoa(urgent), nil).ExpectError(404, "OSM.01010001")
	}
	for _, id := range []string{"999999", "0", "-1", "abc", "99999999999"} {
		f.bob.Do("DELETE", labelsPath+"/"+id, nil).ExpectError(404, "OSM.01010001")
	}
	// The same name is fine for another user.
	createLabel(t, f.alice, "urgent", "#FF0000")

	// Name 1..64, colour #RRGGBB, unique per user.
	for _, body := range []map[string]string{
		{"name": "", "color": "#FFFFFF"},
		{"name": "   ", "color": "#FFFFFF"},
		{"name": strings.Repeat("n", 65), "color": "#FFFFFF"},
		{"name": "x", "color": ""},
		{"name": "x", "color": "FFFFFF"},
		{"name": "x", "color": "#FFFFF"},
		{"name": "x", "color": "#FFFFFFF"},
		{"name": "x", "color": "#GGGGGG"},
		{"color": "#FFFFFF"},
	} {
		f.bob.Do("POST", labelsPath, body).ExpectError(400, "OSM.01010001")
	}
	createLabel(t, f.bob, strings.Repeat("名", 64), "#abcdef")
	f.bob.Do("POST", labelsPath, map[string]string{"name": "urgent", "color": "#000000"}).ExpectError(409, "OSM.01010042")

	// UpdateLabels: renames and recolours; a taken name is refused and
	// changes nothing.
	f.bob.Do("PUT", labelsPath+"/"+strconv.Itoa(urgent), map[string]string{"name": "urgent", "color": "#0000FF"}).Expect(200)
	f.bob.Do("PUT", labelsPath+"/"+strconv.Itoa(waiting), map[string]string{"name": "urgent", "color": "#0000FF"}).ExpectError(409, "OSM.01010042")
	f.bob.Do("PUT", labelsPath+"/"+strconv.Itoa(waiting), map[string]string{"name": "vendor", "color": "red"}).ExpectError(400, "OSM.01010001")
	got = listLabels(t, f.bob, "")
	if got.LabelList[0].Color != "#0000FF" || got.LabelList[1].Name != "waiting on vendor" || got.LabelList[1].Color != "#00aa11" {
		t.Errorf("after updates = %+v", got)
	}

	// DeleteLabels removes the label from its tickets too.
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", urgent, waiting), nil).Expect(200)
	f.bob.Do("DELETE", labelsPath+"/"+strconv.Itoa(urgent), nil).Expect(200)
	if ids := caseLabelIDs(t, f.bob, f.bobCase, ""); len(ids) != 1 || ids[0] != waiting {
		t.Errorf("after deleting the label, the ticket has %v", ids)
	}
	f.bob.Do("DELETE", labelsPath+"/"+strconv.Itoa(urgent), nil).ExpectError(404, "OSM.01010001")
}

func TestLabelsPerUserLimit(t *testing.T) {
	f := newGrantFixture(t)
	for i := 0; i < 30; i++ {
		createLabel(t, f.bob, fmt.Sprintf("l%02d", i), "#123456")
	}
	f.bob.Do("POST", labelsPath, map[string]string{"name": "one too many", "color": "#123456"}).ExpectError(400, "OSM.01010040")
	if got := listLabels(t, f.bob, "?limit=100"); got.TotalCount != 30 || len(got.LabelList) != 30 {
		t.Errorf("total = %d", got.TotalCount)
	}
	// Another user's quota is their own.
	createLabel(t, f.alice, "alice's", "#123456")
}

func TestCaseLabels(t *testing.T) {
	f := newGrantFixture(t)
	var ids []int
	for i := 0; i < 6; i++ {
		ids = append(ids, createLabel(t, f.bob, fmt.Sprintf("l%d", i), "#123456"))
	}
	aliceCase := svcTicket(t, f.alice, "alice's ticket")

	// Repeated keys (SDK) and a comma list (docs); labels already on the
	// ticket stay once.
	res := f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[0], ids[1]), nil).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("create answered %s", res.Body)
	}
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+"?label_ids="+strconv.Itoa(ids[1])+","+strconv.Itoa(ids[2]), nil).Expect(200)
	if got := caseLabelIDs(t, f.bob, f.bobCase, ""); fmt.Sprint(got) != fmt.Sprint(ids[:3]) {
		t.Errorf("labels = %v", got)
	}
	// 1..5 ids per call, no id twice; at most 5 of the user's labels per
	// ticket, at the bound and past it; nothing changes on refusal.
	f.bob.Do("POST", caseLabelsPath(f.bobCase), nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids...), nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[3], ids[3]), nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+"?label_ids=x", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[3], ids[4], ids[5]), nil).ExpectError(400, "OSM.01010041")
	if got := caseLabelIDs(t, f.bob, f.bobCase, ""); len(got) != 3 {
		t.Errorf("after a refused call: %v", got)
	}
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[3], ids[4]), nil).Expect(200)
	if got := caseLabelIDs(t, f.bob, f.bobCase, ""); len(got) != 5 {
		t.Errorf("at the bound: %v", got)
	}
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[5]), nil).ExpectError(400, "OSM.01010041")

	// Another user's label, or one that does not exist, is not found and
	// changes nothing; so is a ticket outside the view.
	aliceLabel := createLabel(t, f.alice, "alice", "#000000")
	xLabel := createLabel(t, f.xavier, "x", "#000000")
	f.bob.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", aliceLabel)+"&group_id="+f.team, nil).ExpectError(404, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", xLabel)+"&group_id="+f.team, nil).ExpectError(404, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", 987654)+"&group_id="+f.team, nil).ExpectError(404, "OSM.01010001")
	f.bob.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", ids[0]), nil).ExpectError(404, "OSM.01010015")
	f.bob.Do("POST", caseLabelsPath(f.otherCase)+idsQuery("label_ids", ids[0]), nil).ExpectError(404, "OSM.01010015")
	f.xavier.Do("GET", caseLabelsPath(f.bobCase), nil).ExpectError(404, "OSM.01010015")
	f.xavier.Do("DELETE", caseLabelsPath(f.bobCase)+idsQuery("label_ids", xLabel), nil).ExpectError(404, "OSM.01010015")
	// With the group, bob labels alice's ticket; alice does not see bob's
	// labels on it.
	f.bob.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", ids[0])+"&group_id="+f.team, nil).Expect(200)
	if got := caseLabelIDs(t, f.alice, aliceCase, ""); len(got) != 0 {
		t.Errorf("alice sees bob's labels: %v", got)
	}
	f.alice.Do("POST", caseLabelsPath(aliceCase)+idsQuery("label_ids", aliceLabel), nil).Expect(200)
	if got := caseLabelIDs(t, f.bob, aliceCase, "?group_id="+f.team); fmt.Sprint(got) != fmt.Sprint([]int{ids[0]}) {
		t.Errorf("bob sees %v", got)
	}

	// DeleteCaseLabels: each must be on the ticket.
	f.bob.Do("DELETE", caseLabelsPath(f.bobCase)+idsQuery("label_ids", ids[0], ids[5]), nil).ExpectError(404, "OSM.01010001")
	if got := caseLabelIDs(t, f.bob, f.bobCase, ""); len(got) != 5 {
		t.Errorf("after a refused delete: %v", got)
	}
	f.bob.Do("DELETE", caseLabelsPath(f.bobCase)+"?label_ids="+strconv.Itoa(ids[0])+","+strconv.Itoa(ids[1]), nil).Expect(200)
	if got := caseLabelIDs(t, f.bob, f.bobCase, ""); fmt.Sprint(got) != fmt.Sprint(ids[2:5]) {
		t.Errorf("after delete: %v", got)
	}
	f.bob.Do("DELETE", caseLabelsPath(f.bobCase), nil).ExpectError(400, "OSM.01010001")
}

// TestListCasesLabelFilter: label_id_list selects the tickets carrying any
// of the caller's labels, and a label that is not the caller's is refused,
// never ignored.
func TestListCasesLabelFilter(t *testing.T) {
	f := newGrantFixture(t)
	red := createLabel(t, f.bob, "red", "#FF0000")
	blue := createLabel(t, f.bob, "blue", "#0000FF")
	unused := createLabel(t, f.bob, "unused", "#00FF00")
	second := svcTicket(t, f.bob, "second")
	svcTicket(t, f.bob, "third, unlabelled")
	f.bob.Do("POST", caseLabelsPath(f.bobCase)+idsQuery("label_ids", red), nil).Expect(200)
	f.bob.Do("POST", caseLabelsPath(second)+idsQuery("label_ids", blue, red), nil).Expect(200)

	list := func(u *testUser, query string) listCasesResponse {
		t.Helper()
		var out listCasesResponse
		u.Do("GET", "/v2/servicerequest/cases"+query, nil).Expect(200).JSON(&out)
		return out
	}
	got := list(f.bob, "")
	if got.TotalCount != 3 {
		t.Fatalf("unfiltered = %d", got.TotalCount)
	}
	labelsOf := map[string]string{}
	for _, c := range got.IncidentInfoList {
		labelsOf[c.IncidentID] = fmt.Sprint(c.LabelList)
	}
	if labelsOf[second] != fmt.Sprintf("[{%d red #FF0000} {%d blue #0000FF}]", red, blue) && labelsOf[second] != fmt.Sprintf("[{%d blue #0000FF} {%d red #FF0000}]", blue, red) {
		t.Errorf("label_list of the second ticket = %s", labelsOf[second])
	}
	if got := list(f.bob, idsQuery("label_id_list", blue)); got.TotalCount != 1 || got.IncidentInfoList[0].IncidentID != second {
		t.Errorf("blue = %+v", got)
	}
	if got := list(f.bob, idsQuery("label_id_list", red)); got.TotalCount != 2 {
		t.Errorf("red = %d", got.TotalCount)
	}
	if got := list(f.bob, "?label_id_list="+strconv.Itoa(red)+","+strconv.Itoa(blue)); got.TotalCount != 2 {
		t.Errorf("red or blue = %d", got.TotalCount)
	}
	if got := list(f.bob, idsQuery("label_id_list", unused)); got.TotalCount != 0 || len(got.IncidentInfoList) != 0 {
		t.Errorf("unused = %+v", got)
	}
	// A label that does not exist, another user's, another account's: 400,
	// not every ticket.
	aliceLabel := createLabel(t, f.alice, "alice", "#000000")
	xLabel := createLabel(t, f.xavier, "x", "#000000")
	for _, id := range []int{987654, aliceLabel, xLabel} {
		f.bob.Do("GET", "/v2/servicerequest/cases"+idsQuery("label_id_list", id), nil).ExpectError(400, "OSM.01010001")
	}
	f.bob.Do("GET", "/v2/servicerequest/cases?label_id_list=abc", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", "/v2/servicerequest/cases?label_id_list=1,2,3,4,5,6", nil).ExpectError(400, "OSM.01010001")
	// Deleting a label takes it off the filter's tickets.
	f.bob.Do("DELETE", labelsPath+"/"+strconv.Itoa(blue), nil).Expect(200)
	f.bob.Do("GET", "/v2/servicerequest/cases"+idsQuery("label_id_list", blue), nil).ExpectError(400, "OSM.01010001")
}
