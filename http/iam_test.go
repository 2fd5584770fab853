package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// passwordBody is the Keystone password body of the IAM docs, with the
// domain given by name.
func passwordBody(user, password, domain string) map[string]any {
	u := map[string]any{"name": user, "password": password}
	if domain != "" {
		u["domain"] = map[string]string{"name": domain}
	}
	return map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods":  []string{"password"},
		"password": map[string]any{"user": u},
	}}}
}

// withScope adds a scope to a password body.
func withScope(body map[string]any, scope any) map[string]any {
	body["auth"].(map[string]any)["scope"] = scope
	return body
}

type tokenBodyJSON struct {
	Token struct {
		Methods   []string `json:"methods"`
		IssuedAt  string   `json:"issued_at"`
		ExpiresAt string   `json:"expires_at"`
		User      struct {
			ID     string  `json:"id"`
			Name   string  `json:"name"`
			Domain *iamRef `json:"domain"`
		} `json:"user"`
		Domain  *iamRef           `json:"domain"`
		Project *tokenProject     `json:"project"`
		Catalog []json.RawMessage `json:"catalog"`
		Roles   []iamRef          `json:"roles"`
	} `json:"token"`
}

var iamTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$`)

// expectIAMError checks the IAM error body: the OSM pair and the Keystone
// object with the numeric status.
func expectIAMError(t *testing.T, r *testResponse, status int, code string) {
	t.Helper()
	var e struct {
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
		Error     struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Title   string `json:"title"`
		} `json:"error"`
	}
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	if e.ErrorCode != code || e.ErrorMsg == "" || e.Error.Code != status || e.Error.Message != e.ErrorMsg || e.Error.Title == "" {
		t.Errorf("IAM error %s, want code %s and a Keystone error object", r.Body, code)
	}
}

func TestIssueToken(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	env.Account("other")
	bob := acme.User("bob")

	res := env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "acme")).Expect(201)
	tok := res.Header.Get("X-Subject-Token")
	var body tokenBodyJSON
	res.JSON(&body)
	tb := body.Token
	if tb.User.ID != bob.ID || tb.User.Name != "bob" || tb.User.Domain == nil || tb.User.Domain.ID != acme.ID || tb.Domain == nil || tb.Domain.Name != "acme" {
		t.Errorf("token body: %s", res.Body)
	}
	if !iamTime.MatchString(tb.IssuedAt) || !iamTime.MatchString(tb.ExpiresAt) || len(tb.Catalog) == 0 || len(tb.Roles) == 0 {
		t.Errorf("times, catalog or roles: %s", res.Body)
	}
	issued, _ := time.Parse(iamTimeLayout, tb.IssuedAt)
	expires, _ := time.Parse(iamTimeLayout, tb.ExpiresAt)
	if !issued.Equal(env.Clock.Now()) || expires.Sub(issued) != 24*time.Hour {
		t.Errorf("issued %s expires %s, want now and 24 h later", tb.IssuedAt, tb.ExpiresAt)
	}
	if !bytes.Contains(res.Body, []byte(env.HTTP.URL+"/v3")) {
		t.Errorf("catalog does not point at this server: %s", res.Body)
	}
	env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tok).Expect(200)
	if bytes.Contains(res.Body, []byte(testPassword)) || strings.Contains(env.Logs.String(), testPassword) || strings.Contains(env.Logs.String(), tok) {
		t.Errorf("the password or the token leaked into the body or the log")
	}

	// Other ways to name the user, and scopes.
	byDomainID := passwordBody("bob", testPassword, "")
	byDomainID["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)["domain"] = map[string]string{"id": acme.ID}
	env.Do("POST", "/v3/auth/tokens", byDomainID).Expect(201)
	byUserID := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{"id": bob.ID, "password": testPassword}}}}}
	env.Do("POST", "/v3/auth/tokens", byUserID).Expect(201)
	env.Do("POST", "/v3/auth/tokens", withScope(passwordBody("bob", testPassword, "acme"), map[string]any{"domain": map[string]string{"name": "acme"}})).Expect(201)
	res = env.Do("POST", "/v3/auth/tokens?nocatalog=true", withScope(passwordBody("bob", testPassword, "acme"), map[string]any{"project": map[string]string{"name": "cn-south-1"}})).Expect(201)
	body = tokenBodyJSON{}
	res.JSON(&body)
	if body.Token.Project == nil || body.Token.Project.Name != "cn-south-1" || body.Token.Project.Domain.ID != acme.ID || body.Token.Domain != nil || body.Token.Catalog != nil {
		t.Errorf("project scope with nocatalog: %s", res.Body)
	}
	// A scope naming another account is refused.
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", withScope(passwordBody("bob", testPassword, "acme"), map[string]any{"domain": map[string]string{"name": "other"}})), 401, "APIGW.0301")
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", withScope(passwordBody("bob", testPassword, "acme"), map[string]any{"project": map[string]any{"name": "p", "domain": map[string]string{"id": "0123"}}})), 401, "APIGW.0301")

	// Every login failure is the same answer, with the Keystone object.
	fail := env.Do("POST", "/v3/auth/tokens", passwordBody("bob", "wrong-password", "acme"))
	expectIAMError(t, fail, 401, "IAM.0101")
	wrongUserID := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"},
		"password": map[string]any{"user": map[string]any{"id": "00000000000000000000000000000000", "password": testPassword}}}}}
	for _, b := range []any{
		passwordBody("nobody", testPassword, "acme"),
		passwordBody("bob", testPassword, "other"),
		passwordBody("bob", testPassword, "nowhere"),
		wrongUserID,
	} {
		res := env.Do("POST", "/v3/auth/tokens", b)
		if res.Status != fail.Status || !bytes.Equal(res.Body, fail.Body) {
			t.Errorf("login failure %s differs from a wrong password's %s", res.Body, fail.Body)
		}
	}

	// Malformed requests.
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", "{"), 400, "OSM.0001")
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", ""), 400, "OSM.01010001")
	tokenMethod := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]string{"id": tok}}}}
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", tokenMethod), 400, "OSM.01010001")
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", passwordBody("bob", "", "acme")), 400, "OSM.01010001")
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", passwordBody("bob", testPassword, "")), 400, "OSM.01010001")
	expectIAMError(t, env.Do("POST", "/v3/auth/tokens", passwordBody(strings.Repeat("b", 65), testPassword, "acme")), 400, "OSM.01010001")
}

func TestValidateToken(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	carol := acme.User("carol")
	other := env.Account("other")

	var body tokenBodyJSON
	res := bob.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token).Expect(200)
	res.JSON(&body)
	if res.Header.Get("X-Subject-Token") != bob.Token || body.Token.User.ID != bob.ID || !iamTime.MatchString(body.Token.ExpiresAt) {
		t.Errorf("validate own token: %s", res.Body)
	}
	res = bob.Do("HEAD", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token).Expect(200)
	if len(res.Body) != 0 {
		t.Errorf("HEAD has a body: %s", res.Body)
	}
	// The master user may check the account's tokens; others may not.
	acme.Master.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token).Expect(200)
	expectIAMError(t, carol.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token), 403, "OSM.0003")
	expectIAMError(t, other.Master.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token), 403, "OSM.0003")

	// Invalid, expired and revoked subjects are 404.
	expectIAMError(t, bob.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", "nonsense"), 404, "OSM.01010001")
	bob.Do("HEAD", "/v3/auth/tokens", nil, "X-Subject-Token", "nonsense").Expect(404)
	expectIAMError(t, bob.Do("GET", "/v3/auth/tokens", nil), 400, "OSM.01010001")
	fresh := env.Do("POST", "/v3/auth/tokens", passwordBody("carol", testPassword, "acme")).Expect(201).Header.Get("X-Subject-Token")
	env.Clock.Advance(23 * time.Hour)
	res = env.Do("GET", "/v3/auth/tokens", nil, "X-Auth-Token", fresh, "X-Subject-Token", bob.Token)
	expectIAMError(t, res, 403, "OSM.0003")
	env.Clock.Advance(2 * time.Hour)
	expectIAMError(t, env.Do("GET", "/v3/auth/tokens", nil, "X-Auth-Token", fresh, "X-Subject-Token", fresh), 401, "APIGW.0301")

	// The caller must authenticate.
	expectIAMError(t, env.Do("GET", "/v3/auth/tokens", nil, "X-Subject-Token", bob.Token), 401, "APIGW.0301")
}

func TestEngineerLogin(t *testing.T) {
	env := newTestEnv(t)
	env.Engineer("eng")
	env.Account("acme")
	probe := realmProbe(t, env)

	body := passwordBody("eng", testPassword, "")
	res := env.Do("POST", "/support/v1/auth/tokens", body).Expect(201)
	tok := res.Header.Get("X-Subject-Token")
	var tb tokenBodyJSON
	res.JSON(&tb)
	if tb.Token.User.Name != "eng" || tb.Token.User.Domain != nil || tb.Token.Domain != nil || !iamTime.MatchString(tb.Token.IssuedAt) {
		t.Errorf("engineer token body: %s", res.Body)
	}
	doURL(t, env, "GET", probe, "X-Auth-Token", tok).Expect(200)
	env.Do("GET", authorizationsPath, nil, "X-Auth-Token", tok).ExpectError(403, "OSM.0003")
	// domain.name is optional and ignored.
	env.Do("POST", "/support/v1/auth/tokens", passwordBody("eng", testPassword, "support")).Expect(201)
	// A customer cannot log in here, nor an engineer at /v3.
	env.Do("POST", "/support/v1/auth/tokens", passwordBody("admin", testPassword, "acme")).ExpectError(401, "IAM.0101")
	env.Do("POST", "/v3/auth/tokens", passwordBody("eng", testPassword, "acme")).ExpectError(401, "IAM.0101")
	env.Do("POST", "/support/v1/auth/tokens", passwordBody("eng", "wrong", "")).ExpectError(401, "IAM.0101")
	env.Do("POST", "/support/v1/auth/tokens", `{"auth":{}}`).ExpectError(400, "OSM.01010001")
	if strings.Contains(env.Logs.String(), testPassword) || strings.Contains(env.Logs.String(), tok) {
		t.Errorf("the log shows the password or the token")
	}
	// An engineer may check their own token.
	doURL(t, env, "GET", env.HTTP.URL+"/v3/auth/tokens", "X-Auth-Token", tok, "X-Subject-Token", tok).Expect(200)
}

func TestAuthDomains(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	env.Account("other")
	var out struct {
		Domains []struct {
			ID      string            `json:"id"`
			Name    string            `json:"name"`
			Enabled bool              `json:"enabled"`
			Links   map[string]string `json:"links"`
		} `json:"domains"`
		Links map[string]*string `json:"links"`
	}
	res := bob.Do("GET", "/v3/auth/domains", nil).Expect(200)
	res.JSON(&out)
	if len(out.Domains) != 1 || out.Domains[0].ID != acme.ID || out.Domains[0].Name != "acme" || !out.Domains[0].Enabled ||
		out.Domains[0].Links["self"] != env.HTTP.URL+"/v3/domains/"+acme.ID || out.Links["self"] == nil {
		t.Errorf("domains: %s", res.Body)
	}
	expectIAMError(t, env.Do("GET", "/v3/auth/domains", nil), 401, "APIGW.0301")
	expectIAMError(t, env.Engineer("eng").Do("GET", "/v3/auth/domains", nil), 403, "OSM.0003")
}

type credentialsList struct {
	Credentials []credentialInfo `json:"credentials"`
}

func TestAccessKeys(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	carol := acme.User("carol")
	other := env.Account("other")
	const base = "/v3.0/OS-CREDENTIAL/credentials"

	// Create: the secret is shown once.
	res := bob.Do("POST", base, map[string]any{"credential": map[string]string{"user_id": bob.ID, "description": "ci"}}).Expect(201)
	var created struct {
		Credential credentialInfo `json:"credential"`
	}
	res.JSON(&created)
	c := created.Credential
	if len(c.Access) != 20 || len(c.Secret) != 40 || c.Status != "active" || c.UserID != bob.ID || !iamTime.MatchString(c.CreateTime) ||
		c.Description != "ci" {
		t.Errorf("created: %s", res.Body)
	}
	secret := c.Secret

	// List and show never show it.
	var list credentialsList
	res = bob.Do("GET", base+"?user_id="+bob.ID, nil).Expect(200)
	res.JSON(&list)
	if len(list.Credentials) != 1 || list.Credentials[0].Access != c.Access || bytes.Contains(res.Body, []byte(secret)) || bytes.Contains(res.Body, []byte(`"secret"`)) {
		t.Errorf("list: %s", res.Body)
	}
	bob.Do("GET", base, nil).Expect(200) // user_id defaults to the caller
	res = bob.Do("GET", base+"/"+c.Access, nil).Expect(200)
	if bytes.Contains(res.Body, []byte(secret)) || bytes.Contains(res.Body, []byte(`"secret"`)) {
		t.Errorf("show: %s", res.Body)
	}

	// Deactivate, reactivate; bad statuses.
	res = bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"status": "inactive"}}).Expect(200)
	if !bytes.Contains(res.Body, []byte(`"status":"inactive"`)) {
		t.Errorf("update: %s", res.Body)
	}
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"status": "paused"}}).ExpectError(400, "OSM.01010001")
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{}}).ExpectError(400, "OSM.01010001")
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"status": "active"}}).Expect(200)

	// The description is kept, shown, changed alone, and bounded (255
	// characters, counted as characters); a refused change changes nothing.
	show := func() credentialInfo {
		var shown struct {
			Credential credentialInfo `json:"credential"`
		}
		bob.Do("GET", base+"/"+c.Access, nil).Expect(200).JSON(&shown)
		return shown.Credential
	}
	if got := show(); got.Description != "ci" || got.Status != "active" {
		t.Errorf("show after status changes: %+v, want description ci, active", got)
	}
	desc255 := strings.Repeat("键", 255)
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"description": desc255}}).Expect(200)
	if got := show(); got.Description != desc255 || got.Status != "active" {
		t.Errorf("show after a description change: %+v", got)
	}
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"status": "inactive", "description": desc255 + "x"}}).
		ExpectError(400, "OSM.01010001")
	bob.Do("POST", base, map[string]any{"credential": map[string]string{"description": desc255 + "x"}}).ExpectError(400, "OSM.01010001")
	if got := show(); got.Description != desc255 || got.Status != "active" {
		t.Errorf("a refused update changed the key: %+v", got)
	}
	bob.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"description": ""}}).Expect(200)
	if got := show(); got.Description != "" {
		t.Errorf("description not cleared: %+v", got)
	}

	// Two keys per user, like IAM.
	createAccessKey(t, bob, "")
	bob.Do("POST", base, map[string]any{"credential": map[string]string{}}).ExpectError(400, "OSM.01010001")

	// Who may manage whose keys.
	masterKey, _ := createAccessKey(t, acme.Master, "")
	createAccessKey(t, acme.Master, carol.ID) // the master for a user of the account
	carol.Do("GET", base+"/"+masterKey, nil).ExpectError(404, "OSM.01010001")
	carol.Do("GET", base+"/"+c.Access, nil).ExpectError(404, "OSM.01010001")
	carol.Do("PUT", base+"/"+c.Access, map[string]any{"credential": map[string]string{"status": "inactive"}}).ExpectError(404, "OSM.01010001")
	carol.Do("DELETE", base+"/"+c.Access, nil).ExpectError(404, "OSM.01010001")
	carol.Do("GET", base+"?user_id="+bob.ID, nil).ExpectError(403, "OSM.0003")
	carol.Do("POST", base, map[string]any{"credential": map[string]string{"user_id": bob.ID}}).ExpectError(403, "OSM.0003")
	acme.Master.Do("GET", base+"/"+c.Access, nil).Expect(200)
	res = acme.Master.Do("GET", base+"?user_id="+bob.ID, nil).Expect(200)
	list = credentialsList{}
	res.JSON(&list)
	if len(list.Credentials) != 2 {
		t.Errorf("master lists bob's keys: %s", res.Body)
	}

	// Another account sees nothing: its answers equal those for ids that
	// do not exist.
	const unknownAK = "ZZZZZZZZZZZZZZZZZZZZ"
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		body := map[string]any{"credential": map[string]string{"status": "inactive"}}
		got := other.Master.Do(method, base+"/"+c.Access, body)
		missing := other.Master.Do(method, base+"/"+unknownAK, body)
		likeMissing(t, got, missing, c.Access, unknownAK)
		if got.Status != 404 {
			t.Errorf("%s another account's key: %d", method, got.Status)
		}
	}
	const unknownUser = "00000000000000000000000000000000"
	for _, tc := range []struct{ method, path string }{
		{"GET", base + "?user_id="},
		{"POST", base},
	} {
		body := func(id string) any {
			if tc.method == "POST" {
				return map[string]any{"credential": map[string]string{"user_id": id}}
			}
			return nil
		}
		path := func(id string) string {
			if tc.method == "GET" {
				return tc.path + id
			}
			return tc.path
		}
		got := other.Master.Do(tc.method, path(bob.ID), body(bob.ID))
		missing := other.Master.Do(tc.method, path(unknownUser), body(unknownUser))
		likeMissing(t, got, missing, bob.ID, unknownUser)
		if got.Status != 404 {
			t.Errorf("%s keys of another account's user: %d %s", tc.method, got.Status, got.Body)
		}
	}
	// And nothing changed.
	res = bob.Do("GET", base+"/"+c.Access, nil).Expect(200)
	if !bytes.Contains(res.Body, []byte(`"status":"active"`)) {
		t.Errorf("after the other account's attempts: %s", res.Body)
	}

	// Delete.
	bob.Do("DELETE", base+"/"+c.Access, nil).Expect(204)
	expectIAMError(t, bob.Do("GET", base+"/"+c.Access, nil), 404, "OSM.01010001")
	expectIAMError(t, bob.Do("DELETE", base+"/"+c.Access, nil), 404, "OSM.01010001")

	// Limits and malformed bodies.
	expectIAMError(t, bob.Do("POST", base, map[string]any{"credential": map[string]string{"description": strings.Repeat("d", 256)}}), 400, "OSM.01010001")
	bob.Do("POST", base, map[string]any{"credential": map[string]string{"description": strings.Repeat("d", 255)}}).Expect(201)
	expectIAMError(t, bob.Do("POST", base, `{}`), 400, "OSM.01010001")
	expectIAMError(t, bob.Do("GET", base+"?user_id="+strings.Repeat("u", 65), nil), 400, "OSM.01010001")
	expectIAMError(t, env.Do("GET", base, nil), 401, "APIGW.0301")

	if strings.Contains(env.Logs.String(), secret) {
		t.Errorf("the log shows a secret key")
	}
}

// temporaryKey is the credential of POST /v3.0/OS-CREDENTIAL/securitytokens.
type temporaryKey struct {
	Access        string `json:"access"`
	Secret        string `json:"secret"`
	SecurityToken string `json:"securitytoken"`
	ExpiresAt     string `json:"expires_at"`
}

func createTemporaryKey(t *testing.T, u *testUser, seconds int) temporaryKey {
	t.Helper()
	var out struct {
		Credential temporaryKey `json:"credential"`
	}
	u.Do("POST", securityTokensPath, securityTokenBody(seconds)).Expect(201).JSON(&out)
	return out.Credential
}

const securityTokensPath = "/v3.0/OS-CREDENTIAL/securitytokens"

// securityTokenBody asks for a key of seconds, or of the default length
// when seconds is 0.
func securityTokenBody(seconds int) map[string]any {
	token := map[string]any{}
	if seconds != 0 {
		token["duration_seconds"] = seconds
	}
	return map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": token}}}
}

func TestTemporaryAccessKeys(t *testing.T) {
	f := newGrantFixture(t)
	env := f.env
	now := env.Clock.Now()

	tk := createTemporaryKey(t, f.bob, 0)
	if !regexp.MustCompile(`^[A-Z2-7]{20}$`).MatchString(tk.Access) || len(tk.Secret) != 40 || tk.SecurityToken == "" ||
		tk.ExpiresAt != formatIAMTime(now.Add(15*time.Minute)) {
		t.Fatalf("temporary key: access %q, secret of %d characters, token of %d, expires %q (want %q)",
			tk.Access, len(tk.Secret), len(tk.SecurityToken), tk.ExpiresAt, formatIAMTime(now.Add(15*time.Minute)))
	}
	withToken := func(ak, sk, st string) *http.Request {
		return signed(t, env, "GET", authorizationsPath+"?limit=100", nil, ak, sk, f.acme.ID, "X-Security-Token", st)
	}

	// It sees what bob sees, and no more.
	var byToken, byKey listAuthBody
	f.bob.Do("GET", authorizationsPath+"?limit=100", nil).Expect(200).JSON(&byToken)
	send(t, env, withToken(tk.Access, tk.Secret, tk.SecurityToken)).Expect(200).JSON(&byKey)
	if string(byKey.Count) != string(byToken.Count) || len(byKey.IncidentAuthList) == 0 ||
		len(byKey.IncidentAuthList) != len(byToken.IncidentAuthList) {
		t.Errorf("the temporary key sees %s authorizations (%d listed), bob's token %s (%d)",
			byKey.Count, len(byKey.IncidentAuthList), byToken.Count, len(byToken.IncidentAuthList))
	}
	send(t, env, signed(t, env, "GET", authorizationsPath+"/"+f.carolAuth.ID, nil, tk.Access, tk.Secret, f.acme.ID,
		"X-Security-Token", tk.SecurityToken)).ExpectError(404, "OSM.01010001")

	// Every part must hold.
	other := createTemporaryKey(t, f.bob, 3600)
	for name, tc := range map[string]struct {
		req  *http.Request
		want string
	}{
		"NoSecurityToken":  {signed(t, env, "GET", authorizationsPath, nil, tk.Access, tk.Secret, f.acme.ID), "unknown or disabled"},
		"OtherKeysToken":   {withToken(tk.Access, tk.Secret, other.SecurityToken), "not valid"},
		"WrongSecret":      {withToken(tk.Access, other.Secret, tk.SecurityToken), "verify aksk signature fail"},
		"AlteredToken":     {withToken(tk.Access, tk.Secret, flipLastChar(tk.SecurityToken)), "not valid"},
		"BearerTokenAsSTS": {withToken(tk.Access, tk.Secret, f.bob.Token), "not valid"},
		"OtherDomain":      {signed(t, env, "GET", authorizationsPath, nil, tk.Access, tk.Secret, f.other.ID, "X-Security-Token", tk.SecurityToken), "X-Domain-Id does not match"},
		"SecurityTokenUnsigned": {func() *http.Request {
			req := signed(t, env, "GET", authorizationsPath, nil, tk.Access, tk.Secret, f.acme.ID)
			req.Header.Set("X-Security-Token", tk.SecurityToken) // added after signing
			return req
		}(), "Malformed signed request"},
	} {
		t.Run(name, func(t *testing.T) {
			res := send(t, env, tc.req).ExpectError(401, "APIGW.0301")
			if !bytes.Contains(res.Body, []byte(tc.want)) {
				t.Errorf("%s", res.Body)
			}
		})
	}

	// A temporary key cannot make another; the request's shape and
	// duration are checked.
	res := send(t, env, func() *http.Request {
		b, _ := json.Marshal(securityTokenBody(0))
		return signed(t, env, "POST", securityTokensPath, b, tk.Access, tk.Secret, f.acme.ID, "X-Security-Token", tk.SecurityToken)
	}())
	res.ExpectError(403, "OSM.0003")
	for name, body := range map[string]any{
		"TooShort":       securityTokenBody(899),
		"TooLong":        securityTokenBody(86401),
		"NoAuth":         map[string]any{},
		"PasswordMethod": map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password"}}}},
		"Policy": map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"},
			"policy": map[string]any{"Version": "1.1", "Statement": []any{}}}}},
		"OtherTokenID": map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": f.alice.Token}}}},
	} {
		t.Run(name, func(t *testing.T) { f.bob.Do("POST", securityTokensPath, body).ExpectError(400, "OSM.01010001") })
	}
	f.bob.Do("POST", securityTokensPath, map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods": []string{"token"}, "token": map[string]any{"id": f.bob.Token, "duration_seconds": 86400}}}}).Expect(201)
	env.Do("POST", securityTokensPath, securityTokenBody(0)).ExpectError(401, "APIGW.0301")
	f.eng.Do("POST", securityTokensPath, securityTokenBody(0)).ExpectError(403, "OSM.0003")

	// It ends at expires_at, and when the user is disabled (for good: the
	// epoch it carries is gone).
	env.Clock.Advance(15*time.Minute - time.Millisecond)
	send(t, env, withToken(tk.Access, tk.Secret, tk.SecurityToken)).Expect(200)
	env.Clock.Advance(time.Millisecond)
	if res := send(t, env, withToken(tk.Access, tk.Secret, tk.SecurityToken)).ExpectError(401, "APIGW.0301"); !bytes.Contains(res.Body, []byte("expired")) {
		t.Errorf("expired key: %s", res.Body)
	}
	send(t, env, withToken(other.Access, other.Secret, other.SecurityToken)).Expect(200)
	ctx := context.Background()
	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", false); err != nil {
		t.Fatal(err)
	}
	send(t, env, withToken(other.Access, other.Secret, other.SecurityToken)).ExpectError(401, "APIGW.0301")
	if err := env.Svc.SetUserEnabled(ctx, "acme", "bob", true); err != nil {
		t.Fatal(err)
	}
	if res := send(t, env, withToken(other.Access, other.Secret, other.SecurityToken)).ExpectError(401, "APIGW.0301"); !bytes.Contains(res.Body, []byte("revoked")) {
		t.Errorf("a key from before the user was disabled: %s", res.Body)
	}

	// No secret of a temporary key is ever logged.
	for _, secret := range []string{tk.Secret, tk.SecurityToken, other.Secret, other.SecurityToken} {
		if strings.Contains(env.Logs.String(), secret) {
			t.Errorf("the server logged a temporary key's secret or security token")
		}
	}
}

// flipLastChar returns s with its last character changed.
func flipLastChar(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}
