package http

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The SDK has 82 OSM operations (../shared/spec/endpoints.md).
const sdkOperationCount = 82

// TestOperationTable: the table itself is consistent.
func TestOperationTable(t *testing.T) {
	names := map[string]bool{}
	patterns := map[string]bool{}
	sdk, implemented := 0, 0
	for _, op := range operations {
		if names[op.Name] {
			t.Errorf("%s is listed twice", op.Name)
		}
		names[op.Name] = true
		if key := op.Method + " " + op.Path; patterns[key] {
			t.Errorf("%s is listed twice", key)
		} else {
			patterns[key] = true
		}
		if (op.Handle == nil) == (op.Missing == "") {
			t.Errorf("%s: an operation has a handler or says why it has none, not both or neither", op.Name)
		}
		if op.Handle == nil && (op.Auth != authNone || !op.isSDK()) {
			t.Errorf("%s: only SDK operations may be unimplemented, and their 501 needs no authentication", op.Name)
		}
		if op.isSDK() {
			sdk++
			if op.Handle != nil {
				implemented++
			}
		}
	}
	if sdk != sdkOperationCount {
		t.Errorf("the table has %d SDK operations, want %d", sdk, sdkOperationCount)
	}
	if implemented < 19 {
		t.Errorf("only %d SDK operations are implemented: the table lost some", implemented)
	}
}

// samplePath fills a pattern's wildcards with a plausible id.
func samplePath(pattern string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(pattern, "X1234")
}

// TestOperationsRouted: the mux sends a request for each entry of the table
// to that entry, and not to a neighbour (a literal segment beats a
// wildcard, as GET .../cases/count must not be ShowCaseDetail).
func TestOperationsRouted(t *testing.T) {
	mux := (&Server{}).newMux()
	for _, op := range operations {
		req, err := http.NewRequest(op.Method, "http://casebook"+samplePath(op.Path), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, pattern := mux.Handler(req); pattern != op.Method+" "+op.Path {
			t.Errorf("%s %s is routed to %q", op.Method, op.Path, pattern)
		}
	}
}

// TestUnimplementedOperationsAnswer501: every operation without a handler
// answers 501 APIGW.0101 naming itself; every implemented one asks for
// credentials instead (or answers, when it needs none).
func TestUnimplementedOperationsAnswer501(t *testing.T) {
	env := newTestEnv(t)
	unimplemented := 0
	for _, op := range operations {
		path := samplePath(op.Path)
		if op.Handle == nil {
			unimplemented++
			res := env.Do(op.Method, path, nil).ExpectError(501, "APIGW.0101")
			if !strings.Contains(string(res.Body), "Casebook does not implement "+op.Name+";") {
				t.Errorf("%s %s: %s does not name %s", op.Method, path, res.Body, op.Name)
			}
			continue
		}
		if op.Auth != authNone {
			env.Do(op.Method, path, nil).ExpectError(401, "APIGW.0301")
		}
	}
	if unimplemented == 0 {
		t.Error("no unimplemented operation was checked")
	}
}

// A row of the operations matrix: | Op | METHOD `path` | yes or no: why | tests |.
var matrixRow = regexp.MustCompile("^\\| (\\w+) \\| (GET|POST|PUT|DELETE|HEAD) `([^`]+)` \\| (yes|no: [^|]+) \\| .* \\|$")

// TestSDKCompatibilityDoc: docs/sdk-compatibility.md lists exactly the
// SDK operations of the table, with their method and path, "yes" for the
// implemented ones and the table's reason for the others, and its summary
// counts them right.
func TestSDKCompatibilityDoc(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "sdk-compatibility.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	want := map[string]string{} // name -> the row's first three cells
	implemented := 0
	for _, op := range operations {
		if !op.isSDK() {
			continue
		}
		state := "yes"
		if op.Handle == nil {
			state = "no: " + op.Missing
		} else {
			implemented++
		}
		want[op.Name] = fmt.Sprintf("| %s | %s `%s` | %s |", op.Name, op.Method, op.Path, state)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| ") || !strings.Contains(line, "`") {
			continue
		}
		m := matrixRow.FindStringSubmatch(line)
		if m == nil {
			if regexp.MustCompile("^\\| \\w+ \\| [A-Z]+ `/").MatchString(line) {
				t.Errorf("malformed operation row: %s", line)
			}
			continue
		}
		name := m[1]
		if listed[name] {
			t.Errorf("%s is listed twice", name)
		}
		listed[name] = true
		row, ok := want[name]
		switch {
		case !ok:
			t.Errorf("the doc lists %s, which the operation table does not have as an SDK operation", name)
		case !strings.HasPrefix(line, row):
			t.Errorf("the doc's row for %s:\n  %s\nthe operation table says:\n  %s ...", name, line, row)
		}
	}
	for name, row := range want {
		if !listed[name] {
			t.Errorf("the doc does not list %s; add the row\n  %s", name, row)
		}
	}
	summary := fmt.Sprintf("**%d of the SDK's %d operations**", implemented, len(want))
	if !strings.Contains(doc, summary) {
		t.Errorf("the doc's summary does not say %s", summary)
	}
	if others := fmt.Sprintf("The other %d", len(want)-implemented); !strings.Contains(doc, others) {
		t.Errorf("the doc's summary does not say %q", others)
	}
}

// TestMethodNotAllowed: another method on a known path answers 405 with
// Allow, in the error envelope; an unknown path stays 404.
func TestMethodNotAllowed(t *testing.T) {
	env := newTestEnv(t)
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/v2/servicerequest/cases", "GET, HEAD, POST"},
		{"DELETE", "/v2/servicerequest/cases/CS20200101AAAAAAAAAAAA", "GET, HEAD"},
		{"PATCH", "/v2/servicerequest/authorizations/AU0000000000000000", "GET, HEAD, PUT"},
		{"PUT", "/v2/servicerequest/cases/CS20200101AAAAAAAAAAAA/relations", "GET, HEAD, POST, DELETE"},
		{"PUT", "/v2/servicerequest/labels", "GET, HEAD, POST"}, // an unimplemented operation's path
		{"POST", "/healthz", "GET, HEAD"},
		{"OPTIONS", "/support/v1/cases", "GET, HEAD"},
		{"DELETE", "/v3/auth/tokens", "GET, HEAD, POST"},
	} {
		res := env.Do(c.method, c.path, nil).ExpectError(405, "APIGW.0101")
		if got := res.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if !strings.Contains(string(res.Body), c.method+" is not allowed on ") {
			t.Errorf("%s %s: body %s", c.method, c.path, res.Body)
		}
	}
	// IAM paths keep their envelope.
	res := env.Do("DELETE", "/v3/auth/tokens", nil).ExpectError(405, "APIGW.0101")
	if !strings.Contains(string(res.Body), `"error":{"code":405`) {
		t.Errorf("IAM 405 without the Keystone error object: %s", res.Body)
	}
	// Unknown paths are still 404, whatever the method.
	for _, method := range []string{"GET", "PUT", "OPTIONS"} {
		res := env.Do(method, "/v2/servicerequest/no-such-thing", nil).ExpectError(404, "APIGW.0101")
		if res.Header.Get("Allow") != "" {
			t.Errorf("404 with Allow %q", res.Header.Get("Allow"))
		}
	}
}

// TestContentType: a body declared as something other than JSON (or
// multipart) is refused with 415 and changes nothing; a Content-Type
// without a body is not looked at (the SDK sends application/json on GET
// and DELETE); a body without a Content-Type is read as JSON.
func TestContentType(t *testing.T) {
	env := newTestEnv(t)
	alice := env.Account("acme").Master
	body := `{"business_type_id":"1","simple_description":"content type","source_id":"83aeb0f2834c4df49826c781d32a963e"}`
	countCases := func() int {
		var list struct {
			TotalCount int `json:"total_count"`
		}
		alice.Do("GET", "/v2/servicerequest/cases", nil).Expect(200).JSON(&list)
		return list.TotalCount
	}

	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml", "application/jsonx", "json"} {
		res := alice.Do("POST", "/v2/servicerequest/cases", body, "Content-Type", ct).ExpectError(415, "OSM.0001")
		if !strings.Contains(string(res.Body), "must be application/json") {
			t.Errorf("%s: %s", ct, res.Body)
		}
	}
	// Also on a PUT, a DELETE and a route without authentication.
	alice.Do("DELETE", "/v2/servicerequest/cases/CS20200101AAAAAAAAAAAA/relations", `{"related_id_list":["x"]}`, "Content-Type", "text/plain").ExpectError(415, "OSM.0001")
	env.Do("POST", "/v3/auth/tokens", `{}`, "Content-Type", "text/plain").ExpectError(415, "OSM.0001")
	if n := countCases(); n != 0 {
		t.Fatalf("%d tickets after refused bodies", n)
	}

	// Accepted forms.
	for _, ct := range []string{"application/json", "application/json;charset=UTF-8", "Application/JSON; charset=utf8", ""} {
		alice.Do("POST", "/v2/servicerequest/cases", body, "Content-Type", ct).Expect(200)
	}
	if n := countCases(); n != 4 {
		t.Fatalf("%d tickets, want 4", n)
	}
	// Without a body, any Content-Type is ignored.
	alice.Do("GET", "/v2/servicerequest/cases", nil, "Content-Type", "text/plain").Expect(200)
	alice.Do("GET", "/v2/servicerequest/accessorys/limits", nil, "Content-Type", "application/json").Expect(200)
	// An unimplemented operation still answers 501 first.
	env.Do("POST", "/v2/servicerequest/feedbacks", `{}`, "Content-Type", "text/plain").ExpectError(501, "APIGW.0101")
	// No multipart to a JSON operation; the upload refuses anything but
	// multipart itself, with 400 as before (TestAccessoryUploadForms).
	alice.Do("POST", "/v2/servicerequest/cases", body, "Content-Type", "multipart/form-data; boundary=x").ExpectError(415, "OSM.0001")
	for _, ct := range []string{"application/json", "text/plain", ""} {
		res := alice.Do("POST", "/v2/servicerequest/accessorys", body, "Content-Type", ct).ExpectError(400, "OSM.0001")
		if !strings.Contains(string(res.Body), "multipart/form-data") {
			t.Errorf("upload as %q: %s", ct, res.Body)
		}
	}
	if n := countCases(); n != 4 {
		t.Fatalf("%d tickets, want 4", n)
	}
}
