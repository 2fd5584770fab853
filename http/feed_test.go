package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

const (
	feedPath     = "/v2/servicerequest/cases/instant-messages"
	unreadPath   = "/v2/servicerequest/cases/instant-messages/unread"
	jsonUpload   = "/v2/servicerequest/accessorys/json-format-content"
	operateLogsF = "/v2/servicerequest/cases/%s/operate-logs"
)

func jsonUploadBody(name string, content []byte) map[string]any {
	return map[string]any{"accessory_name": name, "accessory_from": "message", "upload_type": 1,
		"accessory_data": base64.StdEncoding.EncodeToString(content)}
}

// TestUploadJsonAccessoriesLimits: the size limit at its bound and just
// past it, the quota shared with the multipart upload, and refused forms
// that store nothing.
func TestUploadJsonAccessoriesLimits(t *testing.T) {
	env := newTestEnv(t)
	env.Svc.Config.AccessoryMaxSize = 3000
	alice := env.Account("acme").User("alice")

	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	alice.Do("POST", jsonUpload, jsonUploadBody("max.txt", bytes.Repeat([]byte("a"), 3000))).Expect(200).JSON(&out)
	a, err := env.Svc.AccessoryByID(context.Background(), out.AccessoryID)
	if err != nil || a.Size != 3000 || a.UploadType != 1 || a.From != casebook.AccessoryFromMessage || a.FileName != "max.txt" {
		t.Fatalf("stored %+v, %v", a, err)
	}
	before := uploadedBytes(t, env, alice.ID)
	alice.Do("POST", jsonUpload, jsonUploadBody("over.txt", bytes.Repeat([]byte("a"), 3001))).ExpectError(400, "OSM.01010001")
	for _, body := range []any{
		map[string]any{"accessory_name": "a.txt", "accessory_from": "message", "accessory_data": "YWJj!"},
		map[string]any{"accessory_name": "a.txt", "accessory_from": "message", "accessory_data": "YWJ"},
		map[string]any{"accessory_name": "a.txt", "accessory_from": "elsewhere", "accessory_data": "YWJj"},
		map[string]any{"accessory_name": "a.exe", "accessory_from": "message", "accessory_data": "YWJj"},
		map[string]any{"accessory_from": "message", "accessory_data": "YWJj"},
		map[string]any{"accessory_name": "a.txt", "accessory_data": "YWJj"},
		map[string]any{"accessory_name": "a.txt", "accessory_from": "message"},
		map[string]any{"accessory_name": "a.txt", "accessory_from": "message", "accessory_data": "YWJj", "upload_type": 2},
	} {
		alice.Do("POST", jsonUpload, body).ExpectError(400, "OSM.01010001")
	}
	if after := uploadedBytes(t, env, alice.ID); after != before {
		t.Fatalf("refused uploads counted %d bytes", after-before)
	}

	// The daily quota counts both kinds of upload.
	env.Svc.Config.DailyUploadBytes = before + 10
	uploadViaAPI(alice, "six.txt", []byte("sixsix"))
	alice.Do("POST", jsonUpload, jsonUploadBody("five.txt", []byte("fivef"))).ExpectError(400, "OSM.01010005")
	alice.Do("POST", jsonUpload, jsonUploadBody("four.txt", []byte("four"))).Expect(200)
}

// TestDownloadImagesAndAccessURL: DownloadImages' headers and refusals;
// ShowDownloadAccessoryUrl's relation checks.
func TestDownloadImagesAndAccessURL(t *testing.T) {
	f := newGrantFixture(t)
	picture := []byte("\x89PNG fake")
	var up struct {
		AccessoryID string `json:"accessory_id"`
	}
	f.bob.Do("POST", jsonUpload, jsonUploadBody("screen.png", picture)).Expect(200).JSON(&up)
	id := up.AccessoryID

	res := f.bob.Do("GET", "/v2/servicerequest/accessorys/"+id+"/image", nil).Expect(200)
	if !bytes.Equal(res.Body, picture) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;") ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("DownloadImages: %q, headers %v", res.Body, res.Header)
	}
	text := uploadViaAPI(f.bob, "notes.txt", []byte("text"))
	f.bob.Do("GET", "/v2/servicerequest/accessorys/"+text+"/image", nil).ExpectError(400, "OSM.01010001")
	f.xavier.Do("GET", "/v2/servicerequest/accessorys/"+id+"/image", nil).ExpectError(404, "OSM.01010001")
	f.alice.Do("GET", "/v2/servicerequest/accessorys/"+id+"/image", nil).ExpectError(404, "OSM.01010001")

	// Attach the picture to a message on bob's ticket.
	m, err := f.env.Svc.CreateMessage(context.Background(), svcPrincipal(t, f.bob), "", f.bobCase, "see picture", []string{id})
	if err != nil {
		t.Fatal(err)
	}
	urlOf := func(u *testUser, query string, want int) string {
		t.Helper()
		res := u.Do("GET", "/v2/servicerequest/accessorys/"+id+"/access-url?"+query, nil).Expect(want)
		var out struct {
			AccessoryURL string `json:"accessory_url"`
		}
		if want == 200 {
			res.JSON(&out)
		}
		return out.AccessoryURL
	}
	for _, ok := range []string{
		"relation_type=DEFAULT",
		"relation_type=INCIDENT&relation_id=" + f.bobCase,
		"relation_type=INCIDENT&incident_id=" + f.bobCase,
		"relation_type=MESSAGE&relation_id=" + m.ID,
		"relation_type=MESSAGE&relation_id=" + m.ID + "&incident_id=" + f.bobCase,
	} {
		link := urlOf(f.bob, ok, 200)
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.env.Do("GET", u.RequestURI(), nil).Expect(200); !bytes.Equal(got.Body, picture) {
			t.Errorf("%s: the link served %q", ok, got.Body)
		}
	}
	for _, notFound := range []string{
		"relation_type=NO_RELATION",
		"relation_type=INCIDENT&relation_id=" + f.carolCase,
		"relation_type=MESSAGE&relation_id=MSNOSUCHMESSAGE00",
		"relation_type=DEFAULT&incident_id=" + f.carolCase,
	} {
		urlOf(f.bob, notFound, 404)
	}
	for _, bad := range []string{
		"", "relation_type=", "relation_type=default", "relation_type=INSPECTION", "relation_type=CONNECT",
		"relation_type=NOTIFICATION", "relation_type=DEFAULT&relation_id=x", "relation_type=MESSAGE",
		"relation_type=INCIDENT", "relation_type=DEFAULT&incident_id=" + strings.Repeat("x", casebook.MaxCaseIDLength+1),
	} {
		urlOf(f.bob, bad, 400)
	}
	urlOf(f.xavier, "relation_type=DEFAULT", 404)
	if strings.Contains(f.env.Logs.String(), "&s=") {
		t.Error("a signed link reached the log")
	}
}

// TestFeedHTTP: the polls' wire forms, bounds and views, and the history's
// languages and time zone.
func TestFeedHTTP(t *testing.T) {
	f := newGrantFixture(t)
	aliceCase := svcTicket(t, f.alice, "alice's")
	f.env.Clock.Advance(casebook.FeedSettle + time.Millisecond)

	// bob sees alice's ticket only through the team.
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+","+aliceCase, nil).ExpectError(404, "OSM.01010015")
	var feed newInstantMessagesResponse
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+"&case_ids="+aliceCase+"&group_id="+f.team, nil).Expect(200).JSON(&feed)
	if len(feed.Imstatus) != 2 || len(feed.Immsg) != 2 || feed.LastMessageTimeID == "" {
		t.Fatalf("team poll: %+v", feed)
	}
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+","+f.otherCase, nil).ExpectError(404, "OSM.01010015")
	f.bob.Do("GET", feedPath, nil).ExpectError(400, "OSM.01010001")

	// case_ids: 100 at most (repeats count).
	hundred := strings.TrimSuffix(strings.Repeat(f.bobCase+",", casebook.MaxFeedCaseIDs), ",")
	f.bob.Do("GET", feedPath+"?case_ids="+hundred, nil).Expect(200)
	f.bob.Do("GET", feedPath+"?case_ids="+hundred+","+f.bobCase, nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", unreadPath+"?case_ids="+hundred+","+f.bobCase, nil).ExpectError(400, "OSM.01010001")

	// last_message_time_id: up to 64 characters, a cursor or a time.
	cursor := "1-" + strings.Repeat("M", casebook.MaxFeedCursorLength-2)
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+"&last_message_time_id="+cursor, nil).Expect(200)
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+"&last_message_time_id="+cursor+"M", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+"&last_message_time_id=-5", nil).ExpectError(400, "OSM.01010001")
	var later newInstantMessagesResponse
	f.bob.Do("GET", feedPath+"?case_ids="+f.bobCase+"&last_message_time_id="+fmt.Sprint(f.env.Clock.Now().UnixMilli()), nil).Expect(200).JSON(&later)
	if len(later.Immsg) != 0 || len(later.Imstatus) != 1 {
		t.Errorf("poll from now: %+v", later)
	}

	// ListMoreInstantMessages: create_time, type and limit are required.
	more := "/v2/servicerequest/cases/" + f.bobCase + "/instant-messages/more?"
	now := fmt.Sprint(f.env.Clock.Now().UnixMilli())
	f.bob.Do("GET", more+"create_time="+now+"&type=0&limit=100", nil).Expect(200)
	f.bob.Do("GET", more+"type=0&limit=10", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", more+"create_time="+now+"&limit=10", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", more+"create_time="+now+"&type=0", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", more+"create_time="+strings.Repeat("1", casebook.MaxCreateTimeLength+1)+"&type=0&limit=1", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", more+"create_time=yesterday&type=0&limit=1", nil).ExpectError(400, "OSM.01010001")
	f.xavier.Do("GET", more+"create_time="+now+"&type=0&limit=1", nil).ExpectError(404, "OSM.01010015")

	// UpdateNewInstantMessagesRead: group_id in the body.
	readPath := "/v2/servicerequest/cases/" + aliceCase + "/instant-messages/unread"
	f.bob.Do("POST", readPath, map[string]any{}).ExpectError(404, "OSM.01010015")
	f.bob.Do("POST", readPath, map[string]any{"group_id": f.team}).Expect(200)
	var unread struct {
		Imunread []imUnread `json:"imunread"`
	}
	f.bob.Do("GET", unreadPath+"?case_ids="+aliceCase+"&group_id="+f.team, nil).Expect(200).JSON(&unread)
	if len(unread.Imunread) != 1 || unread.Imunread[0].UnreadNum != 0 {
		t.Errorf("after marking read: %+v", unread)
	}

	// The history: languages and time zones.
	logs := fmt.Sprintf(operateLogsF, f.bobCase)
	var zh, en struct {
		TotalCount int                  `json:"total_count"`
		List       []incidentOperateLog `json:"incident_operate_log_list"`
	}
	f.bob.Do("GET", logs, nil).Expect(200).JSON(&zh)
	f.bob.Do("GET", logs+"?limit=100", nil, "X-Language", "en-us", "X-Time-Zone", "GMT-5").Expect(200).JSON(&en)
	if zh.TotalCount < 2 || len(en.List) != zh.TotalCount || zh.List[0].OperateType != casebook.CaseEventCreated {
		t.Fatalf("history: %+v", zh)
	}
	if zh.List[0].OperateDesc != "创建工单" || en.List[0].OperateDesc != "Created the case" {
		t.Errorf("operate_desc: %q / %q", zh.List[0].OperateDesc, en.List[0].OperateDesc)
	}
	at, _ := time.Parse(sdkTimeLayout, en.List[0].TimestampOperateTime)
	if want := at.In(time.FixedZone("", -5*3600)).Format(operateTimeLayout); en.List[0].OperateTime != want {
		t.Errorf("operate_time %q in GMT-5, want %q", en.List[0].OperateTime, want)
	}
	f.bob.Do("GET", logs+"?limit=101", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", logs+"?offset=65536", nil).ExpectError(400, "OSM.01010001")
	f.bob.Do("GET", logs+"?offset=65535&limit=100", nil).Expect(200)
	f.alice.Do("GET", logs, nil).ExpectError(404, "OSM.01010015")
	f.xavier.Do("GET", logs, nil).ExpectError(404, "OSM.01010015")
}
