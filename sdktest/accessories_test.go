package sdktest

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// download fetches attachments through DownloadAccessories and returns
// the bytes.
func download(t *testing.T, c *Customer, ids, groupID string) []byte {
	t.Helper()
	req := &model.DownloadAccessoriesRequest{AccessoryId: ids}
	if groupID != "" {
		req.GroupId = ptr(groupID)
	}
	resp, err := c.Client.DownloadAccessories(req)
	must(t, err, "DownloadAccessories "+ids)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("DownloadAccessories %s: read: %v", ids, err)
	}
	return b
}

// TestShowAccessoryLimits: the limits are strings (the SDK's types) and
// reflect the server's configuration.
func TestShowAccessoryLimits(t *testing.T) {
	resp, err := world.Alice.Client.ShowAccessoryLimits(&model.ShowAccessoryLimitsRequest{XLanguage: ptr("en-us")})
	must(t, err, "ShowAccessoryLimits")
	l := resp.AccessoryLimit
	if l == nil {
		t.Fatal("ShowAccessoryLimits: no accessory_limit")
	}
	if got, want := str(l.LimitSize), fmt.Sprint(attachmentMaxMB); got != want {
		t.Errorf("limit_size %q; want %q (serve --attachment-max-mb)", got, want)
	}
	if str(l.LimitCount) == "" || !containsAll(","+str(l.LimitFileType)+",", ",txt,", ",log,", ",pdf,") {
		t.Errorf("limit_count %q, limit_file_type %q; want a count and the documented types", str(l.LimitCount), str(l.LimitFileType))
	}
}

// TestAttachments: UploadAccessory (real multipart from the SDK),
// DownloadAccessories (one file, and several as a zip), ListAccessoryAccessUrls
// (the links fetched with plain HTTP), DeleteAccessories.
func TestAttachments(t *testing.T) {
	alice := world.Alice
	notes := randomBytes(t, 200<<10)
	trace := []byte("line 1\nline 2\n" + randomHex(16))
	notesID := upload(t, alice, "notes.txt", notes, "incident")
	traceID := upload(t, alice, "trace.log", trace, "message")
	if notesID == traceID {
		t.Fatalf("two uploads got the same id %s", notesID)
	}

	if got := download(t, alice, notesID, ""); !bytes.Equal(got, notes) {
		t.Errorf("DownloadAccessories: got %d bytes, not the %d uploaded", len(got), len(notes))
	}

	// Several ids, comma-separated in the path: one zip with both files.
	archive := download(t, alice, notesID+","+traceID, "")
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("DownloadAccessories of two ids: not a zip: %v", err)
	}
	inZip := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		inZip[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	if !bytes.Equal(inZip["notes.txt"], notes) || !bytes.Equal(inZip["trace.log"], trace) {
		t.Errorf("zip holds %d entries; want notes.txt and trace.log with their bytes", len(inZip))
	}

	// Access URLs: unknown ids are left out; the links work without
	// credentials and serve the exact bytes.
	urls, err := alice.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{AccessoryIds: []string{notesID, traceID, "no-such-attachment"}})
	must(t, err, "ListAccessoryAccessUrls")
	if urls.AccessoryUrls == nil || len(*urls.AccessoryUrls) != 2 {
		t.Fatalf("ListAccessoryAccessUrls: %v; want two links", urls.AccessoryUrls)
	}
	want := map[string][]byte{notesID: notes, traceID: trace}
	names := map[string]string{notesID: "notes.txt", traceID: "trace.log"}
	for _, u := range *urls.AccessoryUrls {
		id := str(u.AccessoryId)
		if str(u.AccessoryName) != names[id] {
			t.Errorf("accessory_name of %s = %q; want %q", id, str(u.AccessoryName), names[id])
		}
		link := str(u.AccessoryUrl)
		noteLinkSecrets(link)
		if !strings.HasPrefix(link, world.BaseURL+"/") {
			t.Errorf("accessory_url %q does not point at the server", link)
			continue
		}
		status, body := httpGet(t, link)
		if status != http.StatusOK || !bytes.Equal(body, want[id]) {
			t.Errorf("GET accessory_url of %s: HTTP %d, %d bytes; want 200 and the %d uploaded bytes", id, status, len(body), len(want[id]))
		}
		// A tampered link is refused.
		if tampered := tamperLink(t, link); tampered != "" {
			if status, _ := httpGet(t, tampered); status != http.StatusForbidden {
				t.Errorf("GET tampered link: HTTP %d; want 403", status)
			}
		}
	}

	// Another account sees neither the files nor links to them.
	_, err = world.Dave.Client.DownloadAccessories(&model.DownloadAccessoriesRequest{AccessoryId: notesID})
	wantError(t, err, 404, "OSM.01010001")
	daveURLs, err := world.Dave.Client.ListAccessoryAccessUrls(&model.ListAccessoryAccessUrlsRequest{AccessoryIds: []string{notesID}})
	must(t, err, "ListAccessoryAccessUrls as dave")
	if daveURLs.AccessoryUrls != nil && len(*daveURLs.AccessoryUrls) != 0 {
		t.Errorf("dave got links to alice's attachment: %v", *daveURLs.AccessoryUrls)
	}
	_, err = world.Dave.Client.DeleteAccessories(&model.DeleteAccessoriesRequest{AccessoryId: notesID})
	wantError(t, err, 404, "OSM.01010001")

	// Attach notes to a new ticket: it shows on the first message, and can
	// no longer be deleted. trace is still loose and can be.
	created, err := alice.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
		BusinessTypeId: "1", SimpleDescription: "See the notes " + randomHex(4), SourceId: sourceAPI,
		AccessoryIds: &[]string{notesID},
	}})
	must(t, err, "CreateCases with accessory_ids")
	detail, err := alice.Client.ShowCaseDetail(&model.ShowCaseDetailRequest{CaseId: str(created.IncidentId)})
	must(t, err, "ShowCaseDetail")
	msgs := detail.IncidentDetailInfo.MessageList
	if len(msgs) != 1 || msgs[0].AccessoryList == nil || len(*msgs[0].AccessoryList) != 1 ||
		str((*msgs[0].AccessoryList)[0].AccessoryId) != notesID || str((*msgs[0].AccessoryList)[0].FileActualName) != "notes.txt" {
		t.Errorf("first message of the new ticket: %+v; want notes.txt attached", msgs)
	}
	_, err = alice.Client.DeleteAccessories(&model.DeleteAccessoriesRequest{AccessoryId: notesID})
	wantError(t, err, 409, "OSM.01010014")

	deleted, err := alice.Client.DeleteAccessories(&model.DeleteAccessoriesRequest{AccessoryId: traceID})
	must(t, err, "DeleteAccessories")
	if str(deleted.ErrorCode) != "" {
		t.Errorf("DeleteAccessories: error_code %q in a success", str(deleted.ErrorCode))
	}
	_, err = alice.Client.DownloadAccessories(&model.DownloadAccessoriesRequest{AccessoryId: traceID})
	wantError(t, err, 404, "OSM.01010001")
	_, err = alice.Client.DeleteAccessories(&model.DeleteAccessoriesRequest{AccessoryId: traceID})
	wantError(t, err, 404, "OSM.01010001")
}

// TestUploadRefused: a file type outside limit_file_type and a file over
// limit_size are refused with the validation code.
func TestUploadRefused(t *testing.T) {
	alice := world.Alice
	_, err := uploadFile(alice, writeFile(t, "setup.exe", []byte("MZ")), "setup.exe", "incident")
	wantError(t, err, 400, "OSM.01010001")

	big := randomBytes(t, attachmentMaxMB<<20+1)
	_, err = uploadFile(alice, writeFile(t, "big.log", big), "big.log", "incident")
	wantError(t, err, 400, "OSM.01010001")
}

func httpGet(t *testing.T, link string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), "GET", link, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", link, err)
	}
	return resp.StatusCode, b
}

// noteLinkSecrets records the long query values of a signed link (its
// signature), which must not show up in the server's log.
func noteLinkSecrets(link string) {
	u, err := url.Parse(link)
	if err != nil {
		return
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 16 && v != world.Acme.ID && v != world.Globex.ID {
				noteSecret(v)
			}
		}
	}
}

// tamperLink changes the last character of every query value of a link,
// or returns "" when it has no query.
func tamperLink(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("accessory_url %q: %v", link, err)
	}
	q := u.Query()
	if len(q) == 0 {
		return ""
	}
	for k, vs := range q {
		v := vs[0]
		if v == "" {
			continue
		}
		last := v[len(v)-1]
		if last == '0' {
			last = '1'
		} else {
			last = '0'
		}
		q.Set(k, v[:len(v)-1]+string(last))
		break
	}
	u.RawQuery = q.Encode()
	return u.String()
}
