package http

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook/blob/fs"
)

// The fuzz targets of the API's request decoding: JSON bodies, query
// strings and multipart uploads go through the whole handler (routing,
// authentication, decoding, the Service, SQLite), so they survive any
// rewrite of the decoders. The invariant: no panic, no 5xx, and every
// error in the OSM envelope. `go test` runs the seeds; `make fuzz` explores.

// fuzzHangTimeout is how long one fuzzed request may take.
const fuzzHangTimeout = 10 * time.Second

// fuzzRoute is one operation the fuzzer sends requests to; {case} is
// replaced by a ticket of the caller's, {auth} by an authorization id.
type fuzzRoute struct {
	method, path string
	engineer     bool
}

var fuzzRoutes = []fuzzRoute{
	{"POST", "/v2/servicerequest/cases", false},
	{"GET", "/v2/servicerequest/cases", false},
	{"GET", "/v2/servicerequest/cases/{case}", false},
	{"POST", "/v2/servicerequest/cases/{case}/action", false},
	{"POST", "/v2/servicerequest/cases/{case}/message", false},
	{"GET", "/v2/servicerequest/cases/{case}/messages", false},
	{"POST", "/v2/servicerequest/cases/{case}/relations", false},
	{"GET", "/v2/servicerequest/cases/{case}/relations", false},
	{"DELETE", "/v2/servicerequest/cases/{case}/relations", false},
	{"GET", "/v2/servicerequest/authorizations", false},
	{"GET", "/v2/servicerequest/authorizations/{auth}", false},
	{"PUT", "/v2/servicerequest/authorizations/{auth}", false},
	{"PUT", "/v2/servicerequest/authorizations/{auth}/action", false},
	{"GET", "/v2/servicerequest/accessorys/access-urls", false},
	{"GET", "/v2/servicerequest/accessorys/limits", false},
	{"POST", "/v3/auth/tokens", false},
	{"POST", "/v3.0/OS-CREDENTIAL/credentials", false},
	{"POST", "/v3.0/OS-CREDENTIAL/securitytokens", false},
	{"POST", "/support/v1/auth/tokens", true},
	{"GET", "/support/v1/cases", true},
	{"PUT", "/support/v1/cases/{case}/status", true},
	{"POST", "/support/v1/cases/{case}/messages", true},
	{"POST", "/support/v1/cases/{case}/authorizations", true},
	{"GET", "/support/v1/authorizations", true},
	{"GET", "/support/v1/audit", true},
}

// fuzzTarget is a server with one customer, one engineer, a ticket and an
// authorization on it.
type fuzzTarget struct {
	env            *testEnv
	handler        http.Handler
	customer, eng  *testUser
	caseID, authID string
}

func newFuzzTarget(f *testing.F) *fuzzTarget {
	env := newTestEnv(f)
	acc := env.Account("acme")
	ft := &fuzzTarget{env: env, handler: env.Server.Handler(), customer: acc.Master, eng: env.Engineer("eve")}
	ft.caseID = caseViaAPI(acc.Master, "fuzzing target")
	var out struct {
		AuthorizationID string `json:"id"`
	}
	ft.eng.Do("POST", "/support/v1/cases/"+ft.caseID+"/authorizations", map[string]any{
		"resource_type_id": "1", "visit_type_id": "1", "auth_describe": "ssh",
		"details": []map[string]any{{"type": 1, "instance_name": "web-01", "port": 22, "account": "root"}},
	}).JSON(&out)
	ft.authID = out.AuthorizationID
	if ft.authID == "" {
		f.Fatal("the engineer's authorization request failed")
	}
	return ft
}

// serve sends one request through the whole handler and checks the
// invariant.
func (ft *fuzzTarget) serve(t *testing.T, r *http.Request, who *testUser) {
	t.Helper()
	r.Header.Set("X-Auth-Token", who.Token)
	rec := httptest.NewRecorder()
	// Go's fuzzer does not notice a hung input; a request that takes this
	// long is one, and fails with every goroutine's stack.
	done := make(chan struct{})
	go func() {
		defer close(done)
		ft.handler.ServeHTTP(rec, r)
	}()
	select {
	case <-done:
	case <-time.After(fuzzHangTimeout):
		buf := make([]byte, 1<<20)
		t.Fatalf("%s %s hung for %s:\n%s", r.Method, r.URL, fuzzHangTimeout, buf[:runtime.Stack(buf, true)])
	}
	if rec.Code >= 500 {
		t.Fatalf("%s %s: %d %s", r.Method, r.URL, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var e struct {
			ErrorCode string `json:"error_code"`
			ErrorMsg  string `json:"error_msg"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorCode == "" || e.ErrorMsg == "" {
			t.Fatalf("%s %s: %d without the error envelope: %s", r.Method, r.URL, rec.Code, rec.Body)
		}
	}
}

// FuzzAPIRequest fuzzes the query and the JSON body of every operation that
// reads one.
func FuzzAPIRequest(f *testing.F) {
	ft := newFuzzTarget(f)
	seeds := []struct {
		route       int
		query, body string
	}{
		{0, "", `{"business_type_id":"1","simple_description":"help","source_id":"83aeb0f2834c4df49826c781d32a963e","extends_param":{"k":"v"},"accessory_ids":[]}`},
		{1, "search_key=disk&search_key=a%25b&app_key=x&offset=0&limit=10&status=0&incident_status=1,0&query_start_time=1704164645000", ""},
		{2, "group_id=g1", ""},
		{3, "", `{"action_id":"press","judgement":"5","operate_desc":"x"}`},
		{4, "", `{"content":"hello","type":0,"accessory_ids":["AC1"]}`},
		{5, "offset=0&limit=10", ""},
		{6, "", `{"related_id_list":["case-456","case-789"]}`},
		{8, "related_id=x", `{"related_id":"x"}`},
		{9, "incident_id=test-123&limit=10", ""},
		{11, "", `{"auth_detail_list":[{"port":22,"account":"root","password":"p@ss<word>","auth_detail_id":1001}],"auth_effective_time":1704164645000,"auth_expire_time":1704251045000,"group_id":"g1"}`},
		{12, "", `{"action":"reject","group_id":"g1"}`},
		{13, "accessory_ids=1&accessory_ids=2&group_id=g1", `{"accessory_ids":["1"]}`},
		{15, "nocatalog", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"x","domain":{"name":"acme"}}}},"scope":{"project":{"name":"cn-south-1"}}}}`},
		{16, "", `{"credential":{"description":"ci"}}`},
		{17, "", `{"auth":{"identity":{"methods":["token"],"token":{"duration_seconds":900}}}}`},
		{18, "", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"eve","password":"x"}}}}}`},
		{19, "status=1&account=acme&unassigned=true&limit=5", ""},
		{20, "", `{"status":1}`},
		{21, "", `{"content":"on it"}`},
		{22, "", `{"resource_type_id":"1","visit_type_id":"1","auth_describe":"ssh","details":[{"type":1,"instance_name":"web-01","port":22,"account":"root"}]}`},
		{23, "status=1", ""},
		{24, "authorization_id=x", ""},
		{0, "", `{"business_type_id":1e400,"simple_description":"\u0000"}`},
		{0, "", `[` + strings.Repeat(`[`, 10000)},
		{11, "", `{"auth_detail_list":null,"auth_effective_time":"x"}`},
	}
	for _, s := range seeds {
		f.Add(uint8(s.route), s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := strings.NewReplacer("{case}", ft.caseID, "{auth}", ft.authID).Replace(rt.path)
		r := httptest.NewRequest(rt.method, "/", bytes.NewReader(body))
		r.URL.Path = path
		r.URL.RawQuery = query
		r.RequestURI = ""
		r.Header.Set("Content-Type", "application/json")
		who := ft.customer
		if rt.engineer {
			who = ft.eng
		}
		ft.serve(t, r, who)
	})
}

// FuzzUploadAccessory fuzzes the multipart body of UploadAccessory and its
// boundary.
func FuzzUploadAccessory(f *testing.F) {
	ft := newFuzzTarget(f)
	// The same directory store on a RAM file system where there is one:
	// every upload fsyncs, which on a busy disk costs seconds an input.
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "casebook-fuzz-")
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { os.RemoveAll(dir) })
		blobs, err := fs.Open(dir)
		if err != nil {
			f.Fatal(err)
		}
		ft.env.Svc.Blobs = blobs
	}
	for _, s := range []struct{ form, name, content string }{
		{`{"fileName":"a.txt","accessoryFrom":"incident","uploadType":0}`, "a.txt", "hello"},
		{`{"fileName":"b.log","accessFrom":"message","uploadType":"1"}`, "b.log", strings.Repeat("x", 300)},
		{`{"source":"test"}`, "upload-sample.txt", "sample"},
	} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("form_data", s.form)
		w, _ := mw.CreateFormFile("file", s.name)
		w.Write([]byte(s.content))
		mw.Close()
		f.Add(mw.Boundary(), buf.Bytes())
		f.Add(mw.Boundary(), buf.Bytes()[:buf.Len()/2]) // truncated
	}
	// The SDK's own upload, from the signature test vectors.
	if b, err := os.ReadFile("../auth/testdata/e-upload-accessory-multipart.json"); err == nil {
		var v struct {
			Wire struct {
				BodyBase64 string `json:"body_base64"`
			} `json:"wire"`
		}
		if json.Unmarshal(b, &v) == nil {
			if body, err := base64.StdEncoding.DecodeString(v.Wire.BodyBase64); err == nil {
				f.Add("125159f599c85718e713700f92345a6c70ea130814eabcd7de2096cbd77a", body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		r := httptest.NewRequest("POST", "/v2/servicerequest/accessorys", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
		ft.serve(t, r, ft.customer)
	})
}
