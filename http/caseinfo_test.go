package http

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
)

type statusCounts struct {
	IncidentStatusCounts []struct {
		Status int `json:"status"`
		Count  int `json:"count"`
	} `json:"incident_status_counts"`
}

func (c statusCounts) of(status int) int {
	for _, s := range c.IncidentStatusCounts {
		if s.Status == status {
			return s.Count
		}
	}
	return -1
}

func TestListCaseCounts(t *testing.T) {
	f := newGrantFixture(t)
	cancelled := svcTicket(t, f.bob, "to cancel")
	f.bob.Do("POST", "/v2/servicerequest/cases/"+cancelled+"/action?action_id=cancel", map[string]any{}).Expect(200)
	svcTicket(t, f.alice, "alice's")

	counts := func(u *testUser, query string) statusCounts {
		t.Helper()
		var out statusCounts
		u.Do("GET", "/v2/servicerequest/cases/count"+query, nil).Expect(200).JSON(&out)
		return out
	}
	got := counts(f.bob, "")
	if got.of(1) != 1 || got.of(0) != 0 || got.of(4) != 1 || got.of(17) != 0 || len(got.IncidentStatusCounts) != 7 {
		t.Errorf("bob = %+v", got)
	}
	if got := counts(f.bob, "?group_id="+f.team); got.of(0) != 1 || got.of(1) != 1 || got.of(4) != 1 {
		t.Errorf("bob with the group = %+v", got)
	}
	if got := counts(f.acme.Master, ""); got.of(0) != 1 || got.of(1) != 2 || got.of(4) != 1 {
		t.Errorf("master = %+v", got)
	}
	if got := counts(f.xavier, ""); got.of(1) != 1 || got.of(4) != 0 {
		t.Errorf("xavier = %+v", got)
	}
	if got := counts(f.bob, "?status=4"); len(got.IncidentStatusCounts) != 1 || got.of(4) != 1 {
		t.Errorf("status=4: %+v", got)
	}
	counts(f.bob, "?status=30")
	f.bob.Do("GET", "/v2/servicerequest/cases/count?status=31", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", "/v2/servicerequest/cases/count?status=-1", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", "/v2/servicerequest/cases/count?group_id="+f.otherGroup, nil).ExpectError(403, "OSM.01010002")
	// Deleted tickets are not counted.
	f.bob.Do("POST", "/v2/servicerequest/cases/"+cancelled+"/action?action_id=delete", map[string]any{}).Expect(200)
	if got := counts(f.bob, ""); got.of(4) != 0 || got.of(13) != -1 {
		t.Errorf("after delete = %+v", got)
	}
}

func contactPath(caseID string) string { return "/v2/servicerequest/cases/" + caseID + "/contact-info" }

func TestUpdateCaseContactInfo(t *testing.T) {
	f := newGrantFixture(t)
	ext := func(u *testUser, caseID, query string) incidentExtInfo {
		t.Helper()
		var out struct {
			Detail incidentDetail `json:"incident_detail_info"`
		}
		u.Do("GET", "/v2/servicerequest/cases/"+caseID+query, nil).Expect(200).JSON(&out)
		return out.Detail.ExtInfo
	}
	all := map[string]string{"area_code": "86", "remind_mobile": "13800000000", "remind_mail": "ops@example.com", "remind_time": "09:00-18:00"}
	res := f.bob.Do("PUT", contactPath(f.bobCase), all).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("answer %s", res.Body)
	}
	if got := ext(f.bob, f.bobCase, ""); got != (incidentExtInfo{AreaCode: "86", RemindMobile: "13800000000", RemindMail: "ops@example.com", RemindTime: "09:00-18:00"}) {
		t.Errorf("after update = %+v", got)
	}
	// Absent fields stay, "" clears.
	f.bob.Do("PUT", contactPath(f.bobCase), map[string]string{"remind_mail": "", "remind_time": "0"}).Expect(200)
	if got := ext(f.bob, f.bobCase, ""); got != (incidentExtInfo{AreaCode: "86", RemindMobile: "13800000000", RemindTime: "0"}) {
		t.Errorf("after partial update = %+v", got)
	}
	// Bounds at and past, an empty body, extension_map: refused, nothing
	// changes.
	f.bob.Do("PUT", contactPath(f.bobCase), map[string]string{"area_code": strings.Repeat("1", 16), "remind_mail": strings.Repeat("m", 128)}).Expect(200)
	for _, body := range []any{
		map[string]string{"area_code": strings.Repeat("1", 17)},
		map[string]string{"remind_mobile": strings.Repeat("1", 33)},
		map[string]string{"remind_mail": strings.Repeat("m", 129)},
		map[string]string{"remind_time": strings.Repeat("1", 17)},
		map[string]any{},
		map[string]any{"remind_time": "1", "extension_map": map[string]string{"k": "v"}},
	} {
		f.bob.Do("PUT", contactPath(f.bobCase), body).ExpectError(400, "OSM.01010001")
	}
	if got := ext(f.bob, f.bobCase, ""); got.RemindTime != "0" || got.AreaCode != strings.Repeat("1", 16) {
		t.Errorf("after refusals = %+v", got)
	}
	// Visibility: the group's ticket with group_id (body or query); other
	// accounts and ids outside the view answer like a missing ticket.
	f.alice.Do("PUT", contactPath(f.bobCase), map[string]string{"remind_time": "1"}).ExpectError(404, "OSM.01010015")
	f.alice.Do("PUT", contactPath(f.bobCase), map[string]string{"remind_time": "1", "group_id": f.team}).Expect(200)
	f.alice.Do("PUT", contactPath(f.bobCase)+"?group_id="+f.team, map[string]string{"remind_time": "2"}).Expect(200)
	f.xavier.Do("PUT", contactPath(f.bobCase), map[string]string{"remind_time": "3"}).ExpectError(404, "OSM.01010015")
	f.bob.Do("PUT", contactPath(unknownCaseID), map[string]string{"remind_time": "3"}).ExpectError(404, "OSM.01010015")
	if got := ext(f.bob, f.bobCase, ""); got.RemindTime != "2" {
		t.Errorf("remind_time = %q", got.RemindTime)
	}
	// A closed ticket's contact stays.
	f.bob.Do("POST", "/v2/servicerequest/cases/"+f.bobCase+"/action?action_id=close", map[string]any{}).Expect(200)
	f.bob.Do("PUT", contactPath(f.bobCase), map[string]string{"remind_time": "4"}).ExpectError(409, "OSM.01010014")
}

func extendsPath(caseID string) string {
	return "/v2/servicerequest/cases/" + caseID + "/extends-param"
}

func TestCaseExtendsParam(t *testing.T) {
	f := newGrantFixture(t)
	show := func(u *testUser, caseID, query string) map[string]string {
		t.Helper()
		var out struct {
			ExtendsMap map[string]string `json:"extends_map"`
		}
		u.Do("GET", extendsPath(caseID)+query, nil).Expect(200).JSON(&out)
		if out.ExtendsMap == nil {
			t.Fatalf("extends_map missing")
		}
		return out.ExtendsMap
	}
	if got := show(f.bob, f.bobCase, ""); len(got) != 0 {
		t.Errorf("new ticket: %v", got)
	}
	res := f.bob.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": map[string]any{"instance": "i-1", "count": 3}}).Expect(200)
	if strings.TrimSpace(string(res.Body)) != "{}" {
		t.Errorf("answer %s", res.Body)
	}
	f.bob.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": map[string]any{"instance": "i-2", "os": "linux"}}).Expect(200)
	if got := show(f.bob, f.bobCase, ""); fmt.Sprint(got) != "map[count:3 instance:i-2 os:linux]" {
		t.Errorf("merged = %v", got)
	}
	// Limits: keys 1..64, values 0..2000, at most 50 entries in all.
	big := map[string]any{}
	for i := 0; i < 47; i++ {
		big[fmt.Sprintf("k%02d", i)] = "v"
	}
	f.bob.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": big}).Expect(200) // 3 + 47 = 50
	for _, body := range []any{
		map[string]any{"extends_map": map[string]any{"one-too-many": "v"}},
		map[string]any{"extends_map": map[string]any{strings.Repeat("k", 65): "v"}},
		map[string]any{"extends_map": map[string]any{"k00": strings.Repeat("v", 2001)}},
		map[string]any{"extends_map": map[string]any{}},
		map[string]any{},
		map[string]any{"extends_map": map[string]any{"k00": "w"}, "message_id": "m-1"},
	} {
		f.bob.Do("POST", extendsPath(f.bobCase), body).ExpectError(400, "OSM.01010001")
	}
	f.bob.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": map[string]any{"k00": strings.Repeat("v", 2000), strings.Repeat("k", 64): ""}}).ExpectError(400, "OSM.01010001") // a 51st key
	f.bob.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": map[string]any{"k00": strings.Repeat("v", 2000)}}).Expect(200)
	if got := show(f.bob, f.bobCase, ""); len(got) != 50 || got["instance"] != "i-2" {
		t.Errorf("after refusals: %d entries", len(got))
	}
	// Visibility.
	f.alice.Do("GET", extendsPath(f.bobCase), nil).ExpectError(404, "OSM.01010015")
	show(f.alice, f.bobCase, "?group_id="+f.team)
	f.alice.Do("POST", extendsPath(f.bobCase), map[string]any{"extends_map": map[string]any{"a": "b"}, "group_id": f.team}).ExpectError(400, "OSM.01010001") // full
	f.xavier.Do("GET", extendsPath(f.bobCase), nil).ExpectError(404, "OSM.01010015")
	f.xavier.Do("POST", extendsPath(f.carolCase), map[string]any{"extends_map": map[string]any{"a": "b"}}).ExpectError(404, "OSM.01010015")
	f.bob.Do("GET", extendsPath(unknownCaseID), nil).ExpectError(404, "OSM.01010015")
}

func TestListOrderIncident(t *testing.T) {
	f := newGrantFixture(t)
	red := createLabel(t, f.bob, "red", "#FF0000")
	var ids []string
	for i := 0; i < 4; i++ {
		f.env.Clock.Advance(time.Second)
		ids = append(ids, svcTicket(t, f.bob, fmt.Sprintf("ticket %d", i)))
	}
	f.bob.Do("POST", caseLabelsPath(ids[1])+idsQuery("label_ids", red), nil).Expect(200)

	type page struct {
		TotalCount       int `json:"totalCount"`
		IncidentInfoList []struct {
			IncidentID     string `json:"incidentId"`
			SimpleDescribe string `json:"simpleDescribe"`
			XcustomerName  string `json:"xcustomerName"`
			CustomerID     string `json:"customerId"`
			Status         int    `json:"status"`
			CreateTime     string `json:"createTime"`
			LabelList      []struct {
				LabelID string `json:"labelId"`
				Name    string `json:"name"`
				Color   string `json:"color"`
			} `json:"labelList"`
		} `json:"incidentInfoList"`
	}
	list := func(u *testUser, query string) page {
		t.Helper()
		var out page
		u.Do("GET", "/osm/incidentservice/api/v1/queryincident"+query, nil).Expect(200).JSON(&out)
		return out
	}
	// 5 tickets of bob's (the fixture's and 4), newest first, 2 per page.
	got := list(f.bob, "?pageNo=1&pageSize=2")
	if got.TotalCount != 5 || len(got.IncidentInfoList) != 2 || got.IncidentInfoList[0].IncidentID != ids[3] || got.IncidentInfoList[0].XcustomerName != "bob" {
		t.Fatalf("page 1 = %+v", got)
	}
	if got := list(f.bob, "?pageNo=2&pageSize=2"); got.IncidentInfoList[0].IncidentID != ids[1] || len(got.IncidentInfoList[0].LabelList) != 1 ||
		got.IncidentInfoList[0].LabelList[0].LabelID != strconv.Itoa(red) {
		t.Errorf("page 2 = %+v", got)
	}
	if got := list(f.bob, ""); len(got.IncidentInfoList) != 5 {
		t.Errorf("default page = %d", len(got.IncidentInfoList))
	}
	if got := list(f.bob, "?labelIdList="+strconv.Itoa(red)); got.TotalCount != 1 || got.IncidentInfoList[0].IncidentID != ids[1] {
		t.Errorf("labelIdList = %+v", got)
	}
	if got := list(f.bob, "?searchKey=ticket+2"); got.TotalCount != 1 {
		t.Errorf("searchKey = %+v", got)
	}
	if got := list(f.bob, "?incidentId="+ids[0]+"&version=v1"); got.TotalCount != 1 {
		t.Errorf("incidentId = %+v", got)
	}
	if got := list(f.bob, "?businessTypeId=1&productCategoryId="); got.TotalCount != 5 {
		t.Errorf("businessTypeId=1: %d", got.TotalCount)
	}
	if got := list(f.bob, "?businessTypeId=2"); got.TotalCount != 0 {
		t.Errorf("businessTypeId=2: %d", got.TotalCount)
	}
	if got := list(f.bob, "?productCategoryId=nothing"); got.TotalCount != 0 {
		t.Errorf("productCategoryId: %d", got.TotalCount)
	}
	// The other filters, each shown to select.
	svcTicket(t, f.alice, "alice's legacy")
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"?appKey=" + ids[2], 1},
		{"?appKey=ticket", 4},
		{"?status=1", 1}, // the fixture's ticket, taken by the engineer
		{"?status=0", 4},
		{"?incidentStatus=0,1", 5},
		{"?incidentStatus=3", 0},
		{"?xCustomerName=bob", 5},
		{"?xCustomerName=alice&groupId=" + f.team, 1},
		{"?xCustomerId=" + f.alice.ID + "&groupId=" + f.team, 1},
		{"?queryStartTime=" + url.QueryEscape(f.env.Clock.Now().Add(time.Hour).In(time.FixedZone("GMT+8", 8*3600)).Format("2006-01-02 15:04:05")), 0},
		{"?queryEndTime=" + url.QueryEscape(f.env.Clock.Now().Add(time.Hour).In(time.FixedZone("GMT+8", 8*3600)).Format("2006-01-02 15:04:05")), 5},
	} {
		req := tc.query
		if got := list(f.bob, req); got.TotalCount != tc.want {
			t.Errorf("%s: %d tickets, want %d", tc.query, got.TotalCount, tc.want)
		}
	}

	// Visibility as ListCases: the group with groupId, other accounts never.
	if got := list(f.alice, "?groupId="+f.team); got.TotalCount != 6 {
		t.Errorf("alice with the group: %d", got.TotalCount)
	}
	if got := list(f.xavier, ""); got.TotalCount != 1 {
		t.Errorf("xavier: %d", got.TotalCount)
	}
	f.xavier.Do("GET", "/osm/incidentservice/api/v1/queryincident?groupId="+f.team, nil).ExpectError(403, "OSM.01010002")
	// Bounds.
	list(f.bob, "?pageNo=656&pageSize=100")
	for _, q := range []string{"?pageNo=0", "?pageSize=0", "?pageSize=101", "?pageNo=657&pageSize=100", "?pageNo=65536",
		"?version=v2", "?labelIdList=987654", "?labelIdList=1,2,3,4,5,6", "?status=31", "?queryStartTime=yesterday"} {
		f.bob.Do("GET", "/osm/incidentservice/api/v1/queryincident"+q, nil).ExpectError(400, "OSM.01010001")
	}
}

// exportCSV fetches DownloadCases and parses the file.
func exportCSV(t *testing.T, u *testUser, query string, headers ...string) [][]string {
	t.Helper()
	res := u.Do("GET", "/v2/servicerequest/cases/export"+query, nil, headers...).Expect(200)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="cases-`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	body := bytes.TrimPrefix(res.Body, []byte("\ufeff"))
	if len(body) == len(res.Body) {
		t.Errorf("no byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	return rows
}

func TestDownloadCases(t *testing.T) {
	f := newGrantFixture(t)
	f.env.Clock.Advance(time.Second)
	second := svcTicket(t, f.bob, "second, with \"quotes\"\nand a new line")
	svcTicket(t, f.alice, "alice's")

	rows := exportCSV(t, f.bob, "?language=en-us&timezone=GMT%2B8")
	if len(rows) != 3 || rows[0][0] != "Case ID" || rows[1][0] != second || rows[1][4] != "second, with \"quotes\"\nand a new line" ||
		rows[1][1] != "Pending acceptance" || rows[2][0] != f.bobCase || rows[1][5] != "bob" {
		t.Fatalf("rows = %q", rows)
	}
	// Times in the requested zone.
	created := f.env.Clock.Now().In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05")
	if rows[1][10] != created {
		t.Errorf("created = %q, want %q", rows[1][10], created)
	}
	if rows := exportCSV(t, f.bob, "?language=zh-cn&timezone=UTC"); rows[0][0] != "工单号" || rows[1][1] != "待受理" {
		t.Errorf("zh-cn: %q", rows[:2])
	}
	// Filters and the group view; other accounts see only their own.
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&group_id="+f.team); len(rows) != 4 {
		t.Errorf("group: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&incident_id="+second); len(rows) != 2 || rows[1][0] != second {
		t.Errorf("incident_id: %q", rows)
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&search_key=quotes"); len(rows) != 2 {
		t.Errorf("search_key: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&status=4"); len(rows) != 1 {
		t.Errorf("status=4: %d rows (want the header only)", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&offset=1&limit=1"); len(rows) != 2 || rows[1][0] != f.bobCase {
		t.Errorf("offset/limit: %q", rows)
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&tenant_source_id_list="+casebook.SourceAPI+"&customer_id="+f.acme.ID); len(rows) != 3 {
		t.Errorf("source list: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&tenant_source_id_list=other"); len(rows) != 1 {
		t.Errorf("another source: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.acme.Master, "?language=en-us&timezone=UTC&sub_customer_id="+f.alice.ID); len(rows) != 2 {
		t.Errorf("sub_customer_id: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&group_id="+f.team+"&x_customer_name=alice"); len(rows) != 2 || rows[1][5] != "alice" {
		t.Errorf("x_customer_name: %q", rows)
	}
	now := f.env.Clock.Now()
	later := url.QueryEscape(now.Add(time.Hour).UTC().Format("2006-01-02 15:04:05"))
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&query_start_time="+later, "X-Time-Zone", "UTC"); len(rows) != 1 {
		t.Errorf("query_start_time in the future: %d rows", len(rows))
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC&query_end_time="+later, "X-Time-Zone", "UTC"); len(rows) != 3 {
		t.Errorf("query_end_time in the future: %d rows", len(rows))
	}
	f.bob.Do("GET", "/v2/servicerequest/cases/export?language=en-us&timezone=UTC&query_start_time=tomorrow", nil).ExpectError(400, "OSM.01010001")
	if rows := exportCSV(t, f.xavier, "?language=en-us&timezone=UTC"); len(rows) != 2 {
		t.Errorf("xavier: %d rows", len(rows))
	}
	// Refusals are JSON errors, before any file.
	for _, q := range []string{
		"?timezone=UTC", "?language=en-us", "?language=en-us&timezone=Mars/Base",
		"?language=en-us&timezone=UTC&status=21", "?language=en-us&timezone=UTC&limit=65536",
		"?language=en-us&timezone=UTC&offset=65536", "?language=en-us&timezone=UTC&search_key=" + strings.Repeat("k", 33),
		"?language=en-us&timezone=UTC&customer_id=" + f.other.ID,
		"?language=en-us&timezone=UTC&tenant_source_id_list=1,2,3,4,5,6,7,8,9,10,11",
		"?language=" + strings.Repeat("l", 33) + "&timezone=UTC",
	} {
		f.bob.Do("GET", "/v2/servicerequest/cases/export"+q, nil).ExpectError(400, "OSM.01010001")
	}
	f.bob.Do("GET", "/v2/servicerequest/cases/export?language=en-us&timezone=UTC&group_id="+f.otherGroup, nil).ExpectError(403, "OSM.01010002")
	exportCSV(t, f.bob, "?language=en-us&timezone=UTC&status=20&limit=65535")
}

// writeRecorder is a ResponseWriter that keeps only counts: the rows
// (lines) and bytes written, and the largest single write.
type writeRecorder struct {
	header   http.Header
	status   int
	writes   int
	bytes    int
	largest  int
	newlines int
	body     bytes.Buffer // the test's copy, to check the rows
}

func (w *writeRecorder) Header() http.Header  { return w.header }
func (w *writeRecorder) WriteHeader(code int) { w.status = code }
func (w *writeRecorder) Write(b []byte) (int, error) {
	w.writes++
	w.bytes += len(b)
	w.largest = max(w.largest, len(b))
	w.newlines += bytes.Count(b, []byte("\n"))
	w.body.Write(b)
	return len(b), nil
}

// TestDownloadCasesStreams exports 20,000 tickets and checks that they all
// arrive and that the handler writes them as it reads them: no write is
// larger than a small buffer, so the file is never held whole.
func TestDownloadCasesStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 tickets")
	}
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	const n = 20000
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &sqlstore.Bulk{}
	for i := 0; i < n; i++ {
		// Seven tickets per second, so that equal times straddle the
		// export's batches.
		at := t0.Add(time.Duration(i/7) * time.Second)
		b.Cases = append(b.Cases, &casebook.Case{ID: casebook.NewCaseID(at), AccountID: acme.ID, CreatorID: bob.ID, CreatorName: bob.Name,
			BusinessTypeID: "1", SourceID: casebook.SourceAPI, SimpleDescription: fmt.Sprintf("ticket %d of a large export, long enough to make rows of some size", i),
			Status: casebook.CaseStatusProcessing, CreatedAt: at, UpdatedAt: at})
	}
	if err := env.Store.(*sqlite.DB).BulkInsert(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	// The list order: newest first, then by id descending.
	want := make([]string, n)
	sort.Slice(b.Cases, func(i, j int) bool {
		ci, cj := b.Cases[i], b.Cases[j]
		if !ci.CreatedAt.Equal(cj.CreatedAt) {
			return ci.CreatedAt.After(cj.CreatedAt)
		}
		return ci.ID > cj.ID
	})
	for i, c := range b.Cases {
		want[i] = c.ID
	}
	export := func(query string) *writeRecorder {
		t.Helper()
		req := httptest.NewRequest("GET", "/v2/servicerequest/cases/export?language=en-us&timezone=UTC"+query, nil)
		req.Header.Set("X-Auth-Token", bob.Token)
		w := &writeRecorder{header: http.Header{}}
		env.Server.Handler().ServeHTTP(w, req)
		if w.status != 200 {
			t.Fatalf("status %d", w.status)
		}
		return w
	}
	ids := func(w *writeRecorder) []string {
		t.Helper()
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(w.body.Bytes(), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
		return out
	}
	// A window across several batches: exactly those tickets, in order.
	if got := ids(export("&offset=499&limit=1002")); strings.Join(got, " ") != strings.Join(want[499:1501], " ") {
		t.Errorf("offset 499, limit 1002: %d tickets, not the list's", len(got))
	}
	w := export("")
	if got := ids(w); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the export's %d tickets are not the list's %d, in its order", len(got), n)
	}
	if w.newlines != n+1 {
		t.Errorf("%d lines, want %d tickets and the header", w.newlines, n+1)
	}
	const buffer = 64 << 10
	if w.largest > buffer || w.writes < w.bytes/buffer {
		t.Errorf("%d bytes in %d writes, the largest %d: the export is buffered, not streamed", w.bytes, w.writes, w.largest)
	}
	t.Logf("%d bytes in %d writes, the largest %d", w.bytes, w.writes, w.largest)
}

// TestCaseNamesFollowTheDictionaries: ListOrderIncident and DownloadCases
// name a ticket's problem type from the operator's dictionaries, as
// ListCases does, not from the shipped defaults.
func TestCaseNamesFollowTheDictionaries(t *testing.T) {
	f := newGrantFixture(t)
	importDictionaries(t, f.env, func(d *casebook.Dictionaries) {
		for i := range d.ProblemTypes {
			if d.ProblemTypes[i].ID == "1" {
				d.ProblemTypes[i].Name = casebook.Names{ZhCN: "咨询（改名）", EnUS: "Renamed consultation"}
			}
		}
	})
	var got struct {
		IncidentInfoList []struct {
			BusinessTypeName string `json:"businessTypeName"`
		} `json:"incidentInfoList"`
	}
	f.bob.Do("GET", "/osm/incidentservice/api/v1/queryincident?pageNo=1&pageSize=1", nil, "X-Language", "en-us").Expect(200).JSON(&got)
	if len(got.IncidentInfoList) != 1 || got.IncidentInfoList[0].BusinessTypeName != "Renamed consultation" {
		t.Errorf("ListOrderIncident: %+v", got)
	}
	if rows := exportCSV(t, f.bob, "?language=en-us&timezone=UTC"); len(rows) < 2 || rows[1][2] != "Renamed consultation" {
		t.Errorf("DownloadCases: %q", rows)
	}
}
