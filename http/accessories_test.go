package http

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	blobfs "github.com/casebook/casebook/blob/fs"
)

const accessorysPath = "/v2/servicerequest/accessorys"

// sdkMultipart builds an UploadAccessory body the way the SDK does: the
// form_data part first, then the file part with its base name and
// application/octet-stream.
func sdkMultipart(t testing.TB, formData string, fileName string, content []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("form_data", formData); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`) // as mime/multipart does
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quote.Replace(fileName)))
	h.Set("Content-Type", "application/octet-stream")
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(content)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func formDataJSON(fileName, from string) string {
	b, _ := json.Marshal(map[string]any{"fileName": fileName, "accessoryFrom": from, "uploadType": 0})
	return string(b)
}

// upload sends an UploadAccessory request as u.
func upload(u *testUser, formData, fileName string, content []byte) *testResponse {
	u.env.t.Helper()
	body, ct := sdkMultipart(u.env.t, formData, fileName, content)
	return u.Do("POST", accessorysPath, body, "Content-Type", ct, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
}

// uploadViaAPI uploads a file as u and returns the attachment id.
func uploadViaAPI(u *testUser, fileName string, content []byte) string {
	u.env.t.Helper()
	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	upload(u, formDataJSON(fileName, "message"), fileName, content).Expect(200).JSON(&out)
	if out.AccessoryID == "" {
		u.env.t.Fatalf("UploadAccessory returned no accessory_id")
	}
	return out.AccessoryID
}

var goldenTime = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"`)

// normalizeGolden replaces response times and indents the JSON (keeping
// the key order of the wire).
func normalizeGolden(t testing.TB, body string) []byte {
	t.Helper()
	body = goldenTime.ReplaceAllString(body, `"TIME"`)
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(body), "", "  "); err != nil {
		t.Fatalf("indent %s: %v", body, err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// blobFiles lists the files in the blob directory.
func blobFiles(t *testing.T, env *testEnv) []string {
	t.Helper()
	var files []string
	dir := env.Svc.Blobs.(*blobfs.Store).Dir()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func uploadedBytes(t *testing.T, env *testEnv, userID string) int64 {
	t.Helper()
	var n int64
	err := env.Store.Read(context.Background(), func(tx casebook.Tx) error {
		var err error
		n, err = tx.SumUploadSize(context.Background(), userID, time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAccessoryUploadDownloadRoundTrip(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").User("alice")
	content := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 kB: several reads
	id := uploadViaAPI(u, "報告 \"final\".log", content)

	res := u.Do("GET", accessorysPath+"/"+id, nil).Expect(200)
	if !bytes.Equal(res.Body, content) {
		t.Fatalf("downloaded %d bytes, want the %d uploaded", len(res.Body), len(content))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := res.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", v)
	}
	want := `attachment; filename="__ _final_.log"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%22final%22.log`
	if cd := res.Header.Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition = %q, want %q", cd, want)
	}
	if res.Header.Get("Content-Length") != fmt.Sprint(len(content)) {
		t.Errorf("Content-Length = %q", res.Header.Get("Content-Length"))
	}
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"a.txt":              `attachment; filename="a.txt"; filename*=UTF-8''a.txt`,
		"a b;c.txt":          `attachment; filename="a b;c.txt"; filename*=UTF-8''a%20b%3Bc.txt`,
		"x\\y\r\n%.txt":      `attachment; filename="x_y___.txt"; filename*=UTF-8''x%5Cy%0D%0A%25.txt`,
		"日本.zip":             `attachment; filename="__.zip"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.zip`,
		"日本":                 `attachment; filename="download"; filename*=UTF-8''%E6%97%A5%E6%9C%AC`,
		`"><script>.png`:     `attachment; filename="_><script>.png"; filename*=UTF-8''%22%3E%3Cscript%3E.png`,
		"accessories (2).gz": `attachment; filename="accessories (2).gz"; filename*=UTF-8''accessories%20%282%29.gz`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("contentDisposition(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestAccessoryUploadForms(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master

	// The docs' accessFrom typo, a missing fileName (the part's file name
	// is used) and a string uploadType are tolerated.
	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	upload(u, `{"accessFrom":"message","uploadType":"1"}`, "from-part.txt", []byte("x")).Expect(200).JSON(&out)
	a, err := env.Svc.AccessoryByID(context.Background(), out.AccessoryID)
	if err != nil {
		t.Fatal(err)
	}
	if a.FileName != "from-part.txt" || a.From != "message" || a.UploadType != 1 || a.Size != 1 {
		t.Errorf("stored %+v", a)
	}
	// form_data at its bounds: 5000 characters pass, 5001 do not.
	pad := func(n int) string {
		s := `{"fileName":"a.txt","accessoryFrom":"incident"}`
		return s + strings.Repeat(" ", n-len(s))
	}
	upload(u, pad(5000), "a.txt", []byte("x")).Expect(200)
	upload(u, pad(5001), "a.txt", []byte("x")).ExpectError(400, "OSM.01010001")

	for _, tc := range []struct {
		name, form, file string
	}{
		{"form_data not JSON", `fileName=a.txt`, "a.txt"},
		{"unknown source", formDataJSON("a.txt", "test"), "a.txt"},
		{"bad uploadType", `{"fileName":"a.txt","accessoryFrom":"incident","uploadType":2}`, "a.txt"},
		{"type not allowed", formDataJSON("run.exe", "incident"), "run.exe"},
		{"path in name", formDataJSON("../a.txt", "incident"), "a.txt"},
		{"name at 256", formDataJSON(strings.Repeat("n", 252)+".txt", "incident"), "a.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upload(u, tc.form, tc.file, []byte("x")).inSubtest(t).ExpectError(400, "OSM.01010001")
		})
	}
	upload(u, formDataJSON(strings.Repeat("n", 251)+".txt", "incident"), "a.txt", []byte("x")).Expect(200)

	// The file part before form_data, or either one missing.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "a.txt")
	fw.Write([]byte("x"))
	mw.WriteField("form_data", formDataJSON("a.txt", "incident"))
	mw.Close()
	u.Do("POST", accessorysPath, buf.Bytes(), "Content-Type", mw.FormDataContentType()).ExpectError(400, "OSM.01010001")
	for _, field := range []string{"form_data", "other"} {
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		mw.WriteField(field, formDataJSON("a.txt", "incident"))
		mw.Close()
		u.Do("POST", accessorysPath, buf.Bytes(), "Content-Type", mw.FormDataContentType()).ExpectError(400, "OSM.01010001")
	}
	// The zh doc's JSON example is refused with a clear message.
	res := u.Do("POST", accessorysPath, `{"form_data":"{\"fileName\":\"a.txt\"}","file":"file"}`).ExpectError(400, "OSM.0001")
	if !strings.Contains(string(res.Body), "multipart/form-data") {
		t.Errorf("error does not say what to send: %s", res.Body)
	}
	// A broken multipart body.
	u.Do("POST", accessorysPath, "--x\r\nbroken", "Content-Type", "multipart/form-data; boundary=x").ExpectError(400, "OSM.0001")
}

func TestAccessoryUploadSizeLimit(t *testing.T) {
	env := newTestEnv(t)
	env.Svc.Config.AccessoryMaxSize = 1000
	u := env.Account("acme").Master

	uploadViaAPI(u, "exact.txt", bytes.Repeat([]byte("x"), 1000))
	if n := len(blobFiles(t, env)); n != 1 {
		t.Fatalf("%d blobs after one upload", n)
	}
	// One byte over, and far over (beyond the body cap): refused, and
	// nothing stored, neither row nor object.
	for _, size := range []int{1001, 300 << 10} {
		res := upload(u, formDataJSON("big.txt", "incident"), "big.txt", bytes.Repeat([]byte("y"), size))
		res.ExpectError(400, "OSM.01010001")
		if files := blobFiles(t, env); len(files) != 1 {
			t.Errorf("size %d: blobs %v, want only the first upload", size, files)
		}
		if n := uploadedBytes(t, env, u.ID); n != 1000 {
			t.Errorf("size %d: %d bytes recorded, want 1000", size, n)
		}
	}

	// The daily quota has its own code.
	env.Svc.Config.DailyUploadBytes = 1500
	upload(u, formDataJSON("more.txt", "incident"), "more.txt", bytes.Repeat([]byte("z"), 600)).ExpectError(400, "OSM.01010005")
	if n := len(blobFiles(t, env)); n != 1 {
		t.Errorf("%d blobs after a refused upload", n)
	}
}

func TestAccessoryLimits(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	res := u.Do("GET", accessorysPath+"/limits", nil).Expect(200)
	want := `{"accessory_limit":{"limit_count":"5","limit_size":"4","limit_file_type":"jpg,jpeg,bmp,png,gif,txt,zip,docx,msg,eml,xlsx,pdf,log,ini,mp4,mov"}}` + "\n"
	if string(res.Body) != want {
		t.Errorf("limits = %s, want %s", res.Body, want)
	}
	env.Svc.Config.AccessoryMaxCount = 10
	env.Svc.Config.AccessoryMaxSize = 3 << 19 // 1.5 MB
	env.Svc.Config.AccessoryTypes = []string{"txt"}
	var out struct {
		Limit map[string]any `json:"accessory_limit"`
	}
	u.Do("GET", accessorysPath+"/limits", nil).Expect(200).JSON(&out)
	if fmt.Sprint(out.Limit) != "map[limit_count:10 limit_file_type:txt limit_size:1.5]" {
		t.Errorf("limits = %v", out.Limit)
	}
	for n, want := range map[int64]string{4 << 20: "4", 1 << 20: "1", 3 << 19: "1.5", 1<<20 + 1: "1", 100 << 10: "0.09", 1: "0"} {
		if got := formatMB(n); got != want {
			t.Errorf("formatMB(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestAccessoryLiteralRoutes checks that limits and access-urls are not
// taken for attachment ids, and that an attachment id still works.
func TestAccessoryLiteralRoutes(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	id := uploadViaAPI(u, "a.txt", []byte("content"))

	var limits map[string]any
	u.Do("GET", accessorysPath+"/limits", nil).Expect(200).JSON(&limits)
	if limits["accessory_limit"] == nil {
		t.Errorf("limits answered by another route: %v", limits)
	}
	var urls map[string]any
	u.Do("GET", accessorysPath+"/access-urls?accessory_ids="+id, nil).Expect(200).JSON(&urls)
	if urls["accessory_urls"] == nil {
		t.Errorf("access-urls answered by another route: %v", urls)
	}
	if res := u.Do("GET", accessorysPath+"/"+id, nil).Expect(200); string(res.Body) != "content" {
		t.Errorf("download = %q", res.Body)
	}
}

func TestAccessoryDownloadZip(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	a := uploadViaAPI(u, "log.txt", []byte("first file"))
	b := uploadViaAPI(u, "LOG.txt", []byte("second file"))
	c := uploadViaAPI(u, "图.png", bytes.Repeat([]byte{0x89, 'P'}, 5000))

	res := u.Do("GET", accessorysPath+"/"+a+","+b+","+c+","+a, nil).Expect(200)
	if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="accessories.zip"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no nosniff")
	}
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		got = append(got, fmt.Sprintf("%s=%d", f.Name, len(b)))
	}
	want := []string{"log.txt=10", "LOG (2).txt=11", "图.png=10000"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("zip entries = %v, want %v", got, want)
	}
	// The same id twice is one file, served raw.
	if res := u.Do("GET", accessorysPath+"/"+a+","+a, nil).Expect(200); string(res.Body) != "first file" {
		t.Errorf("repeated id: %q", res.Body)
	}
	// One unknown id fails the whole download.
	u.Do("GET", accessorysPath+"/"+a+",AC0000000000000000", nil).ExpectError(404, "OSM.01010001")
}

func TestAccessoryDownloadLimits(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").Master
	var ids []string
	for i := 0; i < 11; i++ {
		ids = append(ids, uploadViaAPI(u, fmt.Sprintf("f%d.txt", i), []byte(fmt.Sprint(i))))
	}
	res := u.Do("GET", accessorysPath+"/"+strings.Join(ids[:10], ","), nil).Expect(200)
	if zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body))); err != nil || len(zr.File) != 10 {
		t.Errorf("10 ids: %v", err)
	}
	u.Do("GET", accessorysPath+"/"+strings.Join(ids, ","), nil).ExpectError(400, "OSM.01010001")

	// The path: 650 characters pass the length check (and are then
	// unknown ids), 651 do not; each id 1..64. Ten ids of 64 make 649
	// characters, so a space (trimmed) pads to the bound.
	ten := strings.TrimSuffix(strings.Repeat(strings.Repeat("x", 64)+",", 10), ",")
	u.Do("GET", accessorysPath+"/"+strings.Replace(ten, ",", ",%20", 1), nil).ExpectError(404, "OSM.01010001")
	u.Do("GET", accessorysPath+"/"+strings.Replace(ten, ",", ",%20%20", 1), nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", accessorysPath+"/"+strings.Repeat("x", 65), nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", accessorysPath+"/"+ids[0]+",,"+ids[1], nil).ExpectError(400, "OSM.01010001")
	u.Do("GET", accessorysPath+"/"+ids[0]+"?group_id="+strings.Repeat("g", 65), nil).ExpectError(400, "OSM.01010001")
}

// visibilityFixture: acme with alice and bob in "team", carol in "ops";
// an attachment bob attached to his ticket, one carol attached to hers,
// one alice has not attached yet; and another account with its own.
type visibilityFixture struct {
	acme, other                     *testAccount
	alice, bob, carol               *testUser
	team, ops, otherGroup           string
	bobFile, carolFile, aliceFile   string
	otherFile, bobCase, unattached2 string
}

func newVisibilityFixture(t *testing.T, env *testEnv) *visibilityFixture {
	f := &visibilityFixture{acme: env.Account("acme"), other: env.Account("other")}
	f.alice, f.bob, f.carol = f.acme.User("alice"), f.acme.User("bob"), f.acme.User("carol")
	f.team = f.acme.Group("team", f.alice, f.bob)
	f.ops = f.acme.Group("ops", f.carol)
	f.otherGroup = f.other.Group("x", f.other.User("xavier"))

	f.bobFile = uploadViaAPI(f.bob, "bob.txt", []byte("bob"))
	f.bobCase = caseViaAPI(f.bob, "bob's")
	f.bob.Do("POST", casesPath+"/"+f.bobCase+"/message", map[string]any{"message": map[string]any{"content": "", "accessory_ids": []string{f.bobFile}}}).Expect(200)
	f.carolFile = uploadViaAPI(f.carol, "carol.txt", []byte("carol"))
	carolCase := caseViaAPI(f.carol, "carol's")
	f.carol.Do("POST", casesPath+"/"+carolCase+"/message", map[string]any{"message": map[string]any{"content": "", "accessory_ids": []string{f.carolFile}}}).Expect(200)
	f.aliceFile = uploadViaAPI(f.alice, "alice.txt", []byte("alice"))
	f.unattached2 = uploadViaAPI(f.bob, "bob2.txt", []byte("bob2"))
	f.otherFile = uploadViaAPI(f.other.Master, "other.txt", []byte("other"))
	return f
}

// sameAsMissing fails unless got is the answer for an unknown id, with
// the id itself the only difference.
func sameAsMissing(t *testing.T, got, missing *testResponse, id, missingID string) {
	t.Helper()
	norm := strings.ReplaceAll(string(got.Body), id, "ID")
	want := strings.ReplaceAll(string(missing.Body), missingID, "ID")
	if got.Status != missing.Status || norm != want {
		t.Errorf("got %d %s, want what an unknown id gets: %d %s", got.Status, got.Body, missing.Status, missing.Body)
	}
}

func TestAccessoryRoutesHideOtherAttachments(t *testing.T) {
	env := newTestEnv(t)
	f := newVisibilityFixture(t, env)
	const unknown = "AC0000000000000000"

	for _, tc := range []struct {
		name  string
		user  *testUser
		id    string
		group string
	}{
		{"another account's attachment", f.other.Master, f.bobFile, ""},
		{"another account's attachment, own group", f.other.Master, f.bobFile, f.otherGroup},
		{"another account's as master", f.acme.Master, f.otherFile, ""},
		{"another group's attachment", f.alice, f.carolFile, f.team},
		{"a group the caller is not in", f.alice, f.carolFile, f.ops},
		{"a group the caller is not in, else visible", f.carol, f.bobFile, f.team},
		{"another account's group", f.alice, f.bobFile, f.otherGroup},
		{"a group that does not exist", f.alice, f.bobFile, "0123456789abcdef0123456789abcdef"},
		{"a member's attachment without group_id", f.alice, f.bobFile, ""},
		{"another user's unattached upload, even with the group", f.alice, f.unattached2, f.team},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := ""
			if tc.group != "" {
				q = "?group_id=" + tc.group
			}
			missing := f.alice.Do("GET", accessorysPath+"/"+unknown+"?group_id="+f.team, nil).inSubtest(t).ExpectError(404, "OSM.01010001")
			sameAsMissing(t, tc.user.Do("GET", accessorysPath+"/"+tc.id+q, nil), missing, tc.id, unknown)

			// Access URLs: left out, exactly like an unknown id.
			var urls struct {
				URLs []accessoryURL `json:"accessory_urls"`
			}
			tc.user.Do("GET", accessorysPath+"/access-urls?accessory_ids="+tc.id+"&accessory_ids="+unknown+strings.Replace(q, "?", "&", 1), nil).inSubtest(t).Expect(200).JSON(&urls)
			if urls.URLs == nil || len(urls.URLs) != 0 {
				t.Errorf("access urls = %+v, want an empty list", urls.URLs)
			}
		})
	}

	// Deleting: another account's or another user's upload is unknown.
	missing := f.alice.Do("DELETE", accessorysPath+"/"+unknown, nil).ExpectError(404, "OSM.01010001")
	sameAsMissing(t, f.other.Master.Do("DELETE", accessorysPath+"/"+f.aliceFile, nil), missing, f.aliceFile, unknown)
	sameAsMissing(t, f.alice.Do("DELETE", accessorysPath+"/"+f.unattached2, nil), missing, f.unattached2, unknown)
	sameAsMissing(t, f.alice.Do("DELETE", accessorysPath+"/"+f.carolFile, nil), missing, f.carolFile, unknown)
	f.alice.Do("DELETE", accessorysPath+"/"+strings.Repeat("x", 65), nil).ExpectError(404, "OSM.01010001")

	// Positive controls.
	if res := f.alice.Do("GET", accessorysPath+"/"+f.bobFile+"?group_id="+f.team, nil).Expect(200); string(res.Body) != "bob" {
		t.Errorf("group download = %q", res.Body)
	}
	f.acme.Master.Do("GET", accessorysPath+"/"+f.carolFile+","+f.unattached2, nil).Expect(200)
}

func TestAccessoryDelete(t *testing.T) {
	env := newTestEnv(t)
	f := newVisibilityFixture(t, env)

	// Attached ones cannot be deleted.
	f.bob.Do("DELETE", accessorysPath+"/"+f.bobFile, nil).ExpectError(409, "OSM.01010014")
	// Own unattached upload: gone, row and object.
	before := len(blobFiles(t, env))
	f.alice.Do("DELETE", accessorysPath+"/"+f.aliceFile, nil).Expect(200)
	f.alice.Do("GET", accessorysPath+"/"+f.aliceFile, nil).ExpectError(404, "OSM.01010001")
	if after := len(blobFiles(t, env)); after != before-1 {
		t.Errorf("blobs %d -> %d", before, after)
	}
	f.alice.Do("DELETE", accessorysPath+"/"+f.aliceFile, nil).ExpectError(404, "OSM.01010001")
	// The master user may delete any unattached upload of the account.
	f.acme.Master.Do("DELETE", accessorysPath+"/"+f.unattached2, nil).Expect(200)
}

// TestAccessUrlsSeedExample sends seed page 000's request example as it
// stands: a GET with a JSON body, group "1", ids "1" and "2".
func TestAccessUrlsSeedExample(t *testing.T) {
	env := newTestEnv(t)
	u := env.Account("acme").User("alice")
	res := u.Do("GET", accessorysPath+"/access-urls", "{\n\"group_id\" : \"1\",\n\"accessory_ids\" : [ \"1\", \"2\" ]\n}").Expect(200)
	if string(res.Body) != `{"accessory_urls":[]}`+"\n" {
		t.Errorf("seed example: %s", res.Body)
	}
	// The SDK's wire form of the same request.
	res = u.Do("GET", accessorysPath+"/access-urls?accessory_ids=1&accessory_ids=2&group_id=1", nil).Expect(200)
	if string(res.Body) != `{"accessory_urls":[]}`+"\n" {
		t.Errorf("SDK form: %s", res.Body)
	}
}

func TestAccessUrls(t *testing.T) {
	env := newTestEnv(t)
	f := newVisibilityFixture(t, env)
	path := accessorysPath + "/access-urls"

	// Repeated keys, comma-joined, and the body form all name the same ids.
	var want []accessoryURL
	for i, req := range []struct {
		query string
		body  any
	}{
		{"?accessory_ids=" + f.bobFile + "&accessory_ids=" + f.aliceFile + "&group_id=" + f.team, nil},
		{"?accessory_ids=" + f.bobFile + "," + f.aliceFile + "&group_id=" + f.team, nil},
		{"", map[string]any{"group_id": f.team, "accessory_ids": []string{f.bobFile, f.aliceFile}}},
		{"?group_id=" + f.team, map[string]any{"accessory_ids": []string{f.bobFile, f.aliceFile}}},
		{"?accessory_ids=" + f.bobFile + "&accessory_ids=" + f.aliceFile, map[string]any{"group_id": f.team, "accessory_ids": []string{"ignored"}}},
	} {
		var out struct {
			URLs []accessoryURL `json:"accessory_urls"`
		}
		f.alice.Do("GET", path+req.query, req.body).Expect(200).JSON(&out)
		var got []string
		for _, u := range out.URLs {
			got = append(got, u.AccessoryID+"="+u.AccessoryName)
		}
		if fmt.Sprint(got) != fmt.Sprint([]string{f.bobFile + "=bob.txt", f.aliceFile + "=alice.txt"}) {
			t.Errorf("form %d: %v", i, got)
		}
		if i == 0 {
			want = out.URLs
		}
	}

	// The golden file pins the wire form.
	res := f.alice.Do("GET", path+"?accessory_ids="+f.bobFile+"&accessory_ids=AC0000000000000000&accessory_ids="+f.aliceFile+"&group_id="+f.team, nil).Expect(200)
	body := strings.NewReplacer(f.bobFile, "ACCESSORY_1", f.aliceFile, "ACCESSORY_2", f.acme.ID, "ACCOUNT_ID",
		strings.TrimPrefix(env.HTTP.URL, "http://"), "HOST").Replace(string(res.Body))
	body = regexp.MustCompile(`e=\d+&s=[A-Za-z0-9_-]+`).ReplaceAllString(body, "e=EXPIRES&s=SIGNATURE")
	expectGolden(t, "accessory_access_urls", normalizeGolden(t, body))

	// Every link works, without any other credential.
	for _, u := range want {
		if !strings.HasPrefix(u.AccessoryURL, env.HTTP.URL+"/files/") {
			t.Errorf("url %q", u.AccessoryURL)
		}
		if len(u.AccessoryURL) > 1024 {
			t.Errorf("url longer than 1024: %d", len(u.AccessoryURL))
		}
	}

	// Limits: 1..100 ids, each 1..64; group_id 0..64.
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("AC%016d", i)
	}
	hundred[99] = f.aliceFile
	var out struct {
		URLs []accessoryURL `json:"accessory_urls"`
	}
	f.alice.Do("GET", path+"?accessory_ids="+strings.Join(hundred, "&accessory_ids="), nil).Expect(200).JSON(&out)
	if len(out.URLs) != 1 || out.URLs[0].AccessoryID != f.aliceFile {
		t.Errorf("100 ids: %+v", out.URLs)
	}
	f.alice.Do("GET", path+"?accessory_ids="+strings.Join(append(hundred, "AC1"), ","), nil).ExpectError(400, "OSM.01010001")
	f.alice.Do("GET", path, nil).ExpectError(400, "OSM.01010001")
	f.alice.Do("GET", path+"?accessory_ids", nil).ExpectError(400, "OSM.01010001")
	f.alice.Do("GET", path, map[string]any{"accessory_ids": []string{}}).ExpectError(400, "OSM.01010001")
	f.alice.Do("GET", path+"?accessory_ids="+strings.Repeat("a", 64), nil).Expect(200)
	f.alice.Do("GET", path+"?accessory_ids="+strings.Repeat("a", 65), nil).ExpectError(400, "OSM.01010001")
	f.alice.Do("GET", path+"?accessory_ids=a&group_id="+strings.Repeat("g", 65), nil).ExpectError(400, "OSM.01010001")
	if res := f.alice.Do("GET", path+"?accessory_ids="+f.aliceFile+"&group_id="+strings.Repeat("g", 64), nil).Expect(200); string(res.Body) != `{"accessory_urls":[]}`+"\n" {
		t.Errorf("a group the caller is not in: %s", res.Body)
	}
	f.alice.Do("GET", path, `{"accessory_ids":`).ExpectError(400, "OSM.0001")
}

// accessURL returns a signed link to id, made for u.
func accessURL(t *testing.T, u *testUser, id string) string {
	t.Helper()
	var out struct {
		URLs []accessoryURL `json:"accessory_urls"`
	}
	u.Do("GET", accessorysPath+"/access-urls?accessory_ids="+id, nil).inSubtest(t).Expect(200).JSON(&out)
	if len(out.URLs) != 1 {
		t.Fatalf("no link for %s", id)
	}
	return out.URLs[0].AccessoryURL
}

// getLink fetches a link with no credentials at all.
func getLink(t *testing.T, env *testEnv, link string) *testResponse {
	t.Helper()
	res, err := env.HTTP.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &testResponse{t: t, Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestDownloadLink(t *testing.T) {
	env := newTestEnv(t)
	acme, other := env.Account("acme"), env.Account("other")
	u := acme.User("alice")
	id := uploadViaAPI(u, "secret plan.txt", []byte("the plan"))
	otherID := uploadViaAPI(other.Master, "x.txt", []byte("other"))
	link := accessURL(t, u, id)

	res := getLink(t, env, link).Expect(200)
	if string(res.Body) != "the plan" {
		t.Errorf("body = %q", res.Body)
	}
	for h, want := range map[string]string{
		"Content-Type":           "application/octet-stream",
		"Content-Disposition":    `attachment; filename="secret plan.txt"; filename*=UTF-8''secret%20plan.txt`,
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "private, no-store",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}

	// Altering any part of the link breaks it.
	parsed, _ := url.Parse(link)
	q := parsed.Query()
	alter := func(path string, key, value string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		if key != "" {
			if value == "" {
				v.Del(key)
			} else {
				v.Set(key, value)
			}
		}
		return env.HTTP.URL + path + "?" + v.Encode()
	}
	sig := q.Get("s")
	flipped := "A" + sig[1:] // the first character holds the first 6 bits of the MAC
	if sig[0] == 'A' {
		flipped = "B" + sig[1:]
	}
	expires := q.Get("e")
	for name, bad := range map[string]string{
		"another attachment":    alter("/files/"+otherID, "", ""),
		"another account":       alter(parsed.Path, "a", other.ID),
		"later expiry":          alter(parsed.Path, "e", fmt.Sprint(mustAtoi(t, expires)+3600)),
		"earlier expiry":        alter(parsed.Path, "e", fmt.Sprint(mustAtoi(t, expires)-1)),
		"altered signature":     alter(parsed.Path, "s", flipped),
		"truncated signature":   alter(parsed.Path, "s", sig[:len(sig)-2]),
		"no signature":          alter(parsed.Path, "s", ""),
		"no expiry":             alter(parsed.Path, "e", ""),
		"expiry not a number":   alter(parsed.Path, "e", "soon"),
		"no account":            alter(parsed.Path, "a", ""),
		"signature of another":  alter(parsed.Path, "s", mustQuery(t, accessURL(t, other.Master, otherID)).Get("s")),
		"other file, other acc": alter("/files/"+otherID, "a", other.ID),
	} {
		t.Run(name, func(t *testing.T) {
			getLink(t, env, bad).ExpectError(403, "OSM.0003")
		})
	}

	// It expires after Links.TTL.
	env.Clock.Advance(env.Server.Links.TTL - time.Second)
	getLink(t, env, link).Expect(200)
	env.Clock.Advance(time.Second)
	res = getLink(t, env, link).ExpectError(403, "OSM.0003")
	if !strings.Contains(string(res.Body), "expired") {
		t.Errorf("expired link: %s", res.Body)
	}

	// A link to a deleted attachment finds nothing.
	id2 := uploadViaAPI(u, "gone.txt", []byte("gone"))
	link2 := accessURL(t, u, id2)
	u.Do("DELETE", accessorysPath+"/"+id2, nil).Expect(200)
	getLink(t, env, link2).ExpectError(404, "OSM.01010001")

	// Nothing of the links reached the log.
	logs := env.Logs.String()
	for _, secret := range []string{sig, "/files/" + id, "e=" + expires} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if !strings.Contains(logs, "/files/...") {
		t.Errorf("link requests were not logged at all")
	}
}

func TestDownloadLinkBaseURL(t *testing.T) {
	env := newTestEnv(t)
	env.Server.BaseURL = "https://files.example.com/"
	u := env.Account("acme").Master
	id := uploadViaAPI(u, "a.txt", []byte("a"))
	link := accessURL(t, u, id)
	if !strings.HasPrefix(link, "https://files.example.com/files/"+id+"?") {
		t.Errorf("link = %q", link)
	}
	// The same path and query work on this server.
	parsed, _ := url.Parse(link)
	getLink(t, env, env.HTTP.URL+parsed.RequestURI()).Expect(200)
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustQuery(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
