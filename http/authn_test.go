package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

// errorMessage returns error_msg of an error response.
func errorMessage(t *testing.T, r *testResponse) string {
	t.Helper()
	var e struct {
		ErrorMsg string `json:"error_msg"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return e.ErrorMsg
}

// expect401 checks a 401 APIGW.0301 answer whose message contains want,
// and returns the message.
func expect401(t *testing.T, r *testResponse, want string) string {
	t.Helper()
	if r.Status != 401 || !bytes.Contains(r.Body, []byte(`"APIGW.0301"`)) {
		t.Errorf("got %d %s, want 401 APIGW.0301", r.Status, r.Body)
		return ""
	}
	if r.Header.Get("WWW-Authenticate") == "" || r.Header.Get("X-Request-Id") == "" {
		t.Errorf("401 without WWW-Authenticate or X-Request-Id: %v", r.Header)
	}
	msg := errorMessage(t, r)
	if !strings.Contains(msg, want) {
		t.Errorf("message %q does not say %q", msg, want)
	}
	return msg
}

// distinct fails unless the messages of the failure classes differ.
func distinct(t *testing.T, msgs map[string]string) {
	t.Helper()
	seen := map[string]string{}
	for class, msg := range msgs {
		if other, ok := seen[msg]; ok {
			t.Errorf("%s and %s have the same message %q", class, other, msg)
		}
		seen[msg] = class
	}
}

func TestTokenAuthFailures(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	tok := acme.Master.Token
	other := &auth.Tokens{Key: bytes.Repeat([]byte{9}, 32), TTL: time.Hour}
	now := env.Clock.Now()
	forged, err := other.Issue(auth.Claims{Realm: casebook.RealmCustomer, UserID: acme.Master.ID, AccountID: acme.ID, Epoch: 1, IssuedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	tampered := tok[:len(tok)-2] + "AA"
	if tampered == tok {
		tampered = tok[:len(tok)-2] + "BA"
	}

	msgs := map[string]string{}
	msgs["none"] = expect401(t, env.Do("GET", authorizationsPath, nil), "x-auth-token not found")
	expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", ""), "x-auth-token not found")
	msgs["garbage"] = expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", "MIIhello"), "decrypt token fail")
	expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tampered), "decrypt token fail")
	expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", forged), "decrypt token fail")
	msgs["too long"] = expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", strings.Repeat("x", 5001)), "1 to 5000")
	// 5000 characters is within the documented bound: merely not ours.
	expect401(t, env.Do("GET", authorizationsPath, nil, "X-Auth-Token", strings.Repeat("x", 5000)), "decrypt token fail")
	msgs["bearer"] = expect401(t, env.Do("GET", authorizationsPath, nil, "Authorization", "Bearer abc"), "unsupported signing algorithm")
	distinct(t, msgs)

	// A foreign Authorization scheme (a proxy's Basic) does not hide a token.
	env.Do("GET", authorizationsPath, nil, "Authorization", "Basic dXNlcjpwYXNz", "X-Auth-Token", tok).Expect(200)
	// Two tokens are refused rather than guessed between.
	req, _ := http.NewRequest("GET", env.HTTP.URL+authorizationsPath, nil)
	req.Header.Add("X-Auth-Token", tok)
	req.Header.Add("X-Auth-Token", tok)
	res, err := env.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("two X-Auth-Token headers: %d", res.StatusCode)
	}

	for _, secret := range []string{tok, tampered, forged} {
		if strings.Contains(env.Logs.String(), secret) {
			t.Errorf("the log shows a token")
		}
	}
}

// TestTokenFlow follows a token from POST /v3/auth/tokens to its end:
// expiry on the injected clock, disabled user, password change, deletion.
func TestTokenFlow(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	acme.User("bob")
	ctx := context.Background()
	login := func() string {
		t.Helper()
		res := env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "acme")).Expect(201)
		tok := res.Header.Get("X-Subject-Token")
		if tok == "" {
			t.Fatal("no X-Subject-Token")
		}
		return tok
	}
	use := func(tok string) *testResponse {
		return env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tok)
	}

	tok := login()
	use(tok).Expect(200)
	env.Clock.Advance(24*time.Hour - time.Millisecond)
	use(tok).Expect(200)
	env.Clock.Advance(time.Millisecond)
	msgs := map[string]string{}
	msgs["expired"] = expect401(t, use(tok), "expired")

	tok = login()
	use(tok).Expect(200)
	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", false); err != nil {
		t.Fatal(err)
	}
	msgs["disabled"] = expect401(t, use(tok), "disabled or no longer exists")
	env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "acme")).ExpectError(401, "IAM.0101")
	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", true); err != nil {
		t.Fatal(err)
	}
	// Enabled again: the old token stays revoked; a new one works.
	msgs["revoked"] = expect401(t, use(tok), "revoked")
	tok = login()
	use(tok).Expect(200)

	if err := env.Svc.SetUserPassword(ctx, "acme", "bob", "another-Secret-456"); err != nil {
		t.Fatal(err)
	}
	expect401(t, use(tok), "revoked")
	env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "acme")).ExpectError(401, "IAM.0101")
	res := env.Do("POST", "/v3/auth/tokens", passwordBody("bob", "another-Secret-456", "acme")).Expect(201)
	tok = res.Header.Get("X-Subject-Token")
	use(tok).Expect(200)

	if err := env.Svc.DeleteUser(ctx, "acme", "bob"); err != nil {
		t.Fatal(err)
	}
	expect401(t, use(tok), "disabled or no longer exists")
	distinct(t, msgs)
}

// TestPrincipalCache: within PrincipalCacheTTL a token costs no user
// lookup, so a change made elsewhere (the CLI, another replica) shows
// once the entry is older than the TTL; a token newer than the cached
// entry reloads it at once.
func TestPrincipalCache(t *testing.T) {
	env := newTestEnv(t)
	env.Server.principals = newPrincipalCache(time.Minute)
	acme := env.Account("acme")
	bob := acme.User("bob")
	ctx := context.Background()
	bob.Do("GET", authorizationsPath, nil).Expect(200)

	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", false); err != nil {
		t.Fatal(err)
	}
	bob.Do("GET", authorizationsPath, nil).Expect(200) // cached
	env.Clock.Advance(time.Minute)
	expect401(t, bob.Do("GET", authorizationsPath, nil), "disabled")

	// Re-enabled and logged in again: the new token's epoch is newer than
	// anything cached, so it works without waiting.
	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", true); err != nil {
		t.Fatal(err)
	}
	bob.Do("GET", authorizationsPath, nil).ExpectError(401, "APIGW.0301")
	fresh := env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "acme")).Expect(201).Header.Get("X-Subject-Token")
	env.Do("GET", authorizationsPath, nil, "X-Auth-Token", fresh).Expect(200)

	// Group membership is part of the cached principal too.
	team := acme.Group("team")
	env.Do("GET", authorizationsPath+"?group_id="+team, nil, "X-Auth-Token", fresh).ExpectError(403, "OSM.01010002")
	if err := env.Svc.AddGroupMember(ctx, "acme", team, "bob"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute)
	env.Do("GET", authorizationsPath+"?group_id="+team, nil, "X-Auth-Token", fresh).Expect(200)

	// Concurrent users of the cache, some entries expiring meanwhile (run
	// with -race).
	carol := acme.User("carol")
	var wg sync.WaitGroup
	statuses := make(chan int, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := carol.Token
			if i%2 == 0 {
				tok = fresh
			}
			statuses <- env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tok).Status
			if i%8 == 0 {
				env.Clock.Advance(time.Minute)
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Errorf("concurrent request: %d", st)
		}
	}
}

// realmProbe serves one engineer-only route through the server's own
// adapter and middleware, for realm checks independent of the support
// API's routes.
func realmProbe(t *testing.T, env *testEnv) string {
	t.Helper()
	rt := route{Method: "GET", Pattern: "/probe", Op: "Probe", Auth: authEngineer, Handle: func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]string{"engineer": principal(r).UserName})
	}}
	hs := httptest.NewServer(env.Server.withRequestLog(env.Server.endpoint(rt)))
	t.Cleanup(hs.Close)
	return hs.URL + "/probe"
}

func doURL(t *testing.T, env *testEnv, method, url string, headers ...string) *testResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &testResponse{t: t, Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestWrongRealm(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	eng := env.Engineer("eng")
	probe := realmProbe(t, env)

	res := eng.Do("GET", authorizationsPath, nil).ExpectError(403, "OSM.0003")
	if !strings.Contains(errorMessage(t, res), "engineer") {
		t.Errorf("engineer token on the customer API: %s", res.Body)
	}
	doURL(t, env, "GET", probe, "X-Auth-Token", acme.Master.Token).ExpectError(403, "OSM.0003")
	res = doURL(t, env, "GET", probe, "X-Auth-Token", eng.Token).Expect(200)
	if !strings.Contains(string(res.Body), `"eng"`) {
		t.Errorf("probe: %s", res.Body)
	}
	ak, sk := createAccessKey(t, acme.Master, "")
	req, _ := http.NewRequest("GET", probe, nil)
	if err := auth.SignRequest(req, nil, ak, sk, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	doURL(t, env, "GET", probe, "Authorization", req.Header.Get("Authorization"), "X-Sdk-Date", req.Header.Get("X-Sdk-Date")).ExpectError(403, "OSM.0003")
	expect401(t, doURL(t, env, "GET", probe), "x-auth-token not found")
	expect401(t, doURL(t, env, "GET", probe, "X-Auth-Token", "nope"), "decrypt token fail")

	// The same through a route of the support API.
	const queue = "/support/v1/cases"
	eng.Do("GET", queue, nil).Expect(200)
	acme.Master.Do("GET", queue, nil).ExpectError(403, "OSM.0003")
	send(t, env, signed(t, env, "GET", queue, nil, ak, sk, acme.ID)).ExpectError(403, "OSM.0003")
	expect401(t, env.Do("GET", queue, nil), "x-auth-token not found")
}

// createAccessKey creates an access key through the IAM API and returns
// the AK and SK.
func createAccessKey(t *testing.T, u *testUser, userID string) (string, string) {
	t.Helper()
	var out struct {
		Credential credentialInfo `json:"credential"`
	}
	res := u.Do("POST", "/v3.0/OS-CREDENTIAL/credentials", map[string]any{"credential": map[string]string{"user_id": userID, "description": "test"}})
	if res.Status != 201 {
		t.Fatalf("create access key: %d %s", res.Status, res.Body)
	}
	res.JSON(&out)
	if out.Credential.Access == "" || out.Credential.Secret == "" {
		t.Fatalf("create access key: %s", res.Body)
	}
	return out.Credential.Access, out.Credential.Secret
}

// signed builds a request as the SDK does (JSON content type, User-Agent,
// X-Domain-Id when domainID is set) and signs it at the env's clock.
func signed(t *testing.T, env *testEnv, method, path string, body []byte, ak, sk, domainID string, headers ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, env.HTTP.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
	if domainID != "" {
		req.Header.Set("X-Domain-Id", domainID)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if err := auth.SignRequest(req, body, ak, sk, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func send(t *testing.T, env *testEnv, req *http.Request) *testResponse {
	t.Helper()
	res, err := env.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &testResponse{t: t, Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestSignedRequests(t *testing.T) {
	f := newGrantFixture(t)
	env := f.env
	ak, sk := createAccessKey(t, f.bob, "")
	signature := func(req *http.Request) string {
		return regexp.MustCompile(`Signature=([0-9a-f]+)`).FindStringSubmatch(req.Header.Get("Authorization"))[1]
	}

	// The SDK's form works, with and without X-Domain-Id.
	req := signed(t, env, "GET", authorizationsPath+"?incident_id="+f.bobCase+"&limit=10&offset=0&status=0", nil, ak, sk, f.acme.ID)
	var list listAuthBody
	send(t, env, req).Expect(200).JSON(&list)
	if len(list.IncidentAuthList) != 1 {
		t.Errorf("signed list: %+v", list)
	}
	send(t, env, signed(t, env, "GET", authorizationsPath, nil, ak, sk, "")).Expect(200)
	// The signature wins over any X-Auth-Token on the same request.
	send(t, env, signed(t, env, "GET", authorizationsPath, nil, ak, sk, f.acme.ID, "X-Auth-Token", "not-a-token")).Expect(200)
	// A signed body reaches the handler intact.
	other := svcTicket(t, f.bob, "signed relation")
	body := []byte(`{"related_id_list":["` + other + `"]}` + "\n")
	send(t, env, signed(t, env, "POST", relationsPath(f.bobCase), body, ak, sk, f.acme.ID)).Expect(200)
	if got := listRelations(t, f.bob, f.bobCase, ""); len(got.CaseRelationList) != 1 || got.CaseRelationList[0].CaseID != other {
		t.Errorf("relations after the signed request: %+v", got)
	}
	// The SDK's domain discovery: only x-sdk-date signed, Go's User-Agent.
	disc, _ := http.NewRequest("GET", env.HTTP.URL+"/v3/auth/domains", nil)
	if err := auth.SignRequest(disc, nil, ak, sk, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var domains struct {
		Domains []struct{ ID string } `json:"domains"`
	}
	send(t, env, disc).Expect(200).JSON(&domains)
	if len(domains.Domains) != 1 || domains.Domains[0].ID != f.acme.ID {
		t.Errorf("domains: %+v", domains)
	}

	// Altered copies fail, each class with its own message.
	msgs := map[string]string{}
	var bodies [][]byte
	check := func(class string, req *http.Request, want string) {
		t.Helper()
		res := send(t, env, req)
		bodies = append(bodies, res.Body)
		if msg := expect401(t, res, want); msg != "" {
			msgs[class] = msg
		}
	}
	good := func() *http.Request {
		return signed(t, env, "GET", authorizationsPath+"?limit=10", nil, ak, sk, f.acme.ID)
	}

	req = good()
	req.URL.RawQuery = "limit=11"
	check("mismatch", req, "verify aksk signature fail")
	req = signed(t, env, "POST", relationsPath(f.bobCase), body, ak, sk, f.acme.ID)
	req.Body = io.NopCloser(strings.NewReader(strings.Replace(string(body), other, f.carolCase, 1)))
	check("mismatch", req, "verify aksk signature fail")
	check("mismatch", signed(t, env, "GET", authorizationsPath, nil, ak, strings.ToLower(sk), f.acme.ID), "verify aksk signature fail")
	req = good()
	req.Header.Set("User-Agent", "something else")
	check("mismatch", req, "verify aksk signature fail")

	env.Clock.Advance(-16 * time.Minute)
	req = good()
	env.Clock.Advance(16 * time.Minute)
	check("skew", req, "too far from the server time")
	req = good()
	req.Header.Del("X-Sdk-Date")
	check("date missing", req, "X-Sdk-Date is missing")
	req = good()
	req.Header.Set("X-Sdk-Date", "2026-01-01T00:00:00Z")
	check("date missing", req, "X-Sdk-Date is missing")

	req = good()
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), ak, "ZZZZZZZZZZZZZZZZZZZZ", 1))
	check("unknown key", req, "unknown or disabled")
	check("domain", signed(t, env, "GET", authorizationsPath, nil, ak, sk, f.other.ID), "X-Domain-Id does not match")
	check("security token", signed(t, env, "GET", authorizationsPath, nil, ak, sk, f.acme.ID, "X-Security-Token", "sts-token"), "X-Security-Token")
	req = good()
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "SDK-HMAC-SHA256", "SDK-HMAC-SM3", 1))
	check("algorithm", req, "unsupported signing algorithm")
	req = good()
	req.Header.Set("Authorization", regexp.MustCompile(`, Signature=[0-9a-f]+`).ReplaceAllString(req.Header.Get("Authorization"), ""))
	check("malformed", req, "Malformed signed request")
	req = good()
	req.Header.Set("X-Project-Id", "p1") // present but not signed
	check("malformed", req, "Malformed signed request")
	// UNSIGNED-PAYLOAD is for multipart bodies only.
	req = signed(t, env, "POST", relationsPath(f.bobCase), body, ak, sk, f.acme.ID, "X-Sdk-Content-Sha256", auth.UnsignedPayload)
	check("malformed", req, "UNSIGNED-PAYLOAD")

	// A disabled key, and a key of a disabled user, read as unknown.
	f.bob.Do("PUT", "/v3.0/OS-CREDENTIAL/credentials/"+ak, map[string]any{"credential": map[string]string{"status": "inactive"}}).Expect(200)
	check("unknown key", good(), "unknown or disabled")
	f.bob.Do("PUT", "/v3.0/OS-CREDENTIAL/credentials/"+ak, map[string]any{"credential": map[string]string{"status": "active"}}).Expect(200)
	send(t, env, good()).Expect(200)
	if err := env.Svc.SetUserEnabled(context.Background(), "acme", "bob", false); err != nil {
		t.Fatal(err)
	}
	check("unknown key", good(), "unknown or disabled")

	distinct(t, msgs)
	if len(msgs) != 8 {
		t.Errorf("classes seen: %v", msgs)
	}
	logs := env.Logs.String()
	for _, b := range bodies {
		for _, secret := range []string{sk, signature(good())} {
			if strings.Contains(string(b), secret) {
				t.Errorf("an error body shows a secret: %s", b)
			}
		}
	}
	if strings.Contains(logs, sk) || strings.Contains(logs, "Signature=") {
		t.Errorf("the log shows the secret key or a signature")
	}
}

// TestSignedUpload: a signed multipart upload with UNSIGNED-PAYLOAD is
// checked without reading the body, which the upload handler streams.
func TestSignedUpload(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	ak, sk := createAccessKey(t, acme.Master, "")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("form_data", `{"fileName":"notes.txt","accessoryFrom":"incident","uploadType":0}`)
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	fw.Write([]byte("signed upload content"))
	mw.Close()

	req, _ := http.NewRequest("POST", env.HTTP.URL+"/v2/servicerequest/accessorys", bytes.NewReader(buf.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Domain-Id", acme.ID)
	if err := auth.SignRequest(req, buf.Bytes(), ak, sk, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("X-Sdk-Content-Sha256") != auth.UnsignedPayload {
		t.Fatalf("SignRequest did not mark the multipart body unsigned")
	}
	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	send(t, env, req).Expect(200).JSON(&out)
	if out.AccessoryID == "" {
		t.Fatal("no accessory_id")
	}
}
