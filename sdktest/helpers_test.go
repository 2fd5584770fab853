package sdktest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// sourceAPI is the ticket source the docs give as "currently fixed".
const sourceAPI = "83aeb0f2834c4df49826c781d32a963e"

func ptr[T any](v T) *T { return &v }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// str dereferences an optional string of an SDK model ("" for nil).
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// i32 dereferences an optional int32 of an SDK model (-1 for nil, which no
// status or count takes).
func i32(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

// wantError checks that err is the SDK's error for an HTTP error response
// with the given status and OSM error code, with a message and the
// server's request id.
func wantError(t *testing.T, err error, status int, code string) *sdkerr.ServiceResponseError {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded; want HTTP %d %s", status, code)
	}
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("error is %T (%v); want *sdkerr.ServiceResponseError %d %s", err, err, status, code)
	}
	if se.StatusCode != status || se.ErrorCode != code {
		t.Fatalf("error: status %d code %q (%s); want %d %s", se.StatusCode, se.ErrorCode, se.ErrorMessage, status, code)
	}
	if se.RequestId == "" {
		t.Errorf("error %d %s carries no request id (X-Request-Id)", status, code)
	}
	if se.ErrorMessage == "" {
		t.Errorf("error %d %s carries no message", status, code)
	}
	return se
}

// must fails the test on an SDK error, showing the decoded error fields.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// createCase opens a consultation ticket as c and returns its id.
func createCase(t *testing.T, c *Customer, description string) string {
	t.Helper()
	resp, err := c.Client.CreateCases(&model.CreateCasesRequest{Body: &model.CreateOrderIncidentV2Req{
		BusinessTypeId:    "1",
		IncidentSubTypeId: ptr("1"),
		SimpleDescription: description,
		SourceId:          sourceAPI,
	}})
	must(t, err, "CreateCases")
	if str(resp.IncidentId) == "" {
		t.Fatalf("CreateCases returned no incident_id")
	}
	return *resp.IncidentId
}

// caseStatus returns a ticket's status through ShowCaseStatus.
func caseStatus(t *testing.T, c *Customer, id string) int32 {
	t.Helper()
	resp, err := c.Client.ShowCaseStatus(&model.ShowCaseStatusRequest{CaseId: id})
	must(t, err, "ShowCaseStatus "+id)
	return i32(resp.Status)
}

// writeFile creates a file in the test's temp dir and returns it open for
// reading, as a user hands one to the SDK.
func writeFile(t *testing.T, name string, content []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// upload sends a real multipart upload through the SDK and returns the
// attachment id.
func upload(t *testing.T, c *Customer, name string, content []byte, from string) string {
	t.Helper()
	resp, err := uploadFile(c, writeFile(t, name, content), name, from)
	must(t, err, "UploadAccessory "+name)
	if str(resp.AccessoryId) == "" {
		t.Fatalf("UploadAccessory returned no accessory_id")
	}
	return *resp.AccessoryId
}

func uploadFile(c *Customer, f *os.File, name, from string) (*model.UploadAccessoryResponse, error) {
	form, err := json.Marshal(map[string]any{"fileName": name, "accessoryFrom": from, "uploadType": 0})
	if err != nil {
		return nil, err
	}
	return c.Client.UploadAccessory(&model.UploadAccessoryRequest{Body: &model.UploadAccessoryRequestBody{
		FormData: def.NewMultiPart(string(form)),
		File:     def.NewFilePart(f),
	}})
}

// Engineer is a support engineer, who works through the support API
// (/support/v1) with an X-Auth-Token; the SDK has no such operations.
type Engineer struct {
	Name, Password, ID string

	once     sync.Once
	token    string
	loginErr error
}

// login gets the engineer's token once: POST /support/v1/auth/tokens with a
// Keystone password body, the token in X-Subject-Token.
func (e *Engineer) login(t *testing.T) string {
	t.Helper()
	e.once.Do(func() {
		body := map[string]any{"auth": map[string]any{"identity": map[string]any{
			"methods":  []string{"password"},
			"password": map[string]any{"user": map[string]any{"name": e.Name, "password": e.Password}},
		}}}
		status, header, resp, err := rawJSON("POST", world.BaseURL+"/support/v1/auth/tokens", nil, body)
		if err != nil {
			e.loginErr = err
			return
		}
		if status != http.StatusCreated && status != http.StatusOK {
			e.loginErr = fmt.Errorf("engineer login: HTTP %d %s", status, resp)
			return
		}
		e.token = header.Get("X-Subject-Token")
		if e.token == "" {
			e.loginErr = fmt.Errorf("engineer login: no X-Subject-Token in the answer")
			return
		}
		noteSecret(e.token)
	})
	if e.loginErr != nil {
		t.Fatalf("support API: %v", e.loginErr)
	}
	return e.token
}

// call sends a support API request and decodes a JSON answer into out,
// failing the test unless the status is wantStatus.
func (e *Engineer) call(t *testing.T, method, path string, body, out any, wantStatus int) {
	t.Helper()
	h := http.Header{"X-Auth-Token": {e.login(t)}}
	status, _, resp, err := rawJSON(method, world.BaseURL+path, h, body)
	if err != nil {
		t.Fatalf("support API %s %s: %v", method, path, err)
	}
	if status != wantStatus {
		t.Fatalf("support API %s %s: HTTP %d %s; want %d", method, path, status, resp, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			t.Fatalf("support API %s %s: decode %s: %v", method, path, resp, err)
		}
	}
}

// rawJSON sends one JSON request with plain net/http.
func rawJSON(method, url string, h http.Header, body any) (int, http.Header, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// takeCase has the engineer take a ticket (status 0 -> 1).
func (e *Engineer) takeCase(t *testing.T, caseID string) {
	t.Helper()
	e.call(t, "POST", "/support/v1/cases/"+caseID+"/take", nil, nil, http.StatusOK)
}

// authRequest is what the engineer asks for: console access to the
// Huawei Cloud account (resource type 2, visit type 4, the docs' example)
// plus SSH to one host.
func authRequest(describe string) map[string]any {
	return map[string]any{
		"resource_type_id": "2",
		"visit_type_id":    "4",
		"content_type_id":  "1",
		"auth_describe":    describe,
		"details": []map[string]any{
			{"type": 0, "account": "console-admin"},
			{"type": 1, "port": 22, "account": "root", "instance_id": "i-0042", "instance_name": "web-1", "region_id": "cn-south-1"},
		},
	}
}

// requestAuthorization has the engineer ask for access on a ticket and
// returns the authorization id.
func (e *Engineer) requestAuthorization(t *testing.T, caseID, describe string) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	e.call(t, "POST", "/support/v1/cases/"+caseID+"/authorizations", authRequest(describe), &out, http.StatusCreated)
	if out.ID == "" {
		t.Fatalf("support API: the new authorization has no id")
	}
	return out.ID
}

// credential is one item the engineer reads back from a grant.
type credential struct {
	AuthDetailID int64  `json:"auth_detail_id"`
	Port         int    `json:"port"`
	Account      string `json:"account"`
	Password     string `json:"password"`
}

// credentials reads a grant's credentials; status is the HTTP answer.
func (e *Engineer) credentials(t *testing.T, authID string) (int, []credential) {
	t.Helper()
	h := http.Header{"X-Auth-Token": {e.login(t)}}
	status, _, body, err := rawJSON("GET", world.BaseURL+"/support/v1/authorizations/"+authID+"/credentials", h, nil)
	if err != nil {
		t.Fatalf("support API credentials: %v", err)
	}
	if status != http.StatusOK {
		return status, nil
	}
	var out struct {
		Credentials []credential `json:"credentials"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("support API credentials: decode: %v", err)
	}
	return status, out.Credentials
}

// containsAll reports whether s contains every one of the parts.
func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
