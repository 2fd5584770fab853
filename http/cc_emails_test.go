package http

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

const ccEmailsPath = "/v2/servicerequest/carbon-copy-emails"

// TestListCaseCcEmails: each user reads their own carbon-copy addresses
// (joined by commas in cc_email, listed in mc_email_infos), a user with
// none reads an empty list, and only customers may call.
func TestListCaseCcEmails(t *testing.T) {
	env := newTestEnv(t)
	acme := env.Account("acme")
	bob := acme.User("bob")
	globex := env.Account("globex")
	eng := env.Engineer("eng")
	if err := env.Svc.SetUserCcEmails(context.Background(), "acme", "bob", []string{"b1@example.com", "b2@example.org"}); err != nil {
		t.Fatal(err)
	}
	type response struct {
		CcEmailInfo *struct {
			UserID     string  `json:"user_id"`
			CustomerID string  `json:"customer_id"`
			CcEmail    *string `json:"cc_email"`
		} `json:"cc_email_info"`
		McEmailInfos []string `json:"mc_email_infos"`
	}
	check := func(u *testUser, accountID, joined string, list []string) {
		t.Helper()
		res := u.Do("GET", ccEmailsPath, nil, "X-Language", "en-us", "X-Time-Zone", "GMT+8").Expect(200)
		var raw map[string]json.RawMessage
		res.JSON(&raw)
		if string(raw["mc_email_infos"]) == "null" || raw["mc_email_infos"] == nil {
			t.Fatalf("mc_email_infos is %s, want a list: %s", raw["mc_email_infos"], res.Body)
		}
		var out response
		res.JSON(&out)
		if out.CcEmailInfo == nil || out.CcEmailInfo.CcEmail == nil {
			t.Fatalf("cc_email_info missing: %s", res.Body)
		}
		if out.CcEmailInfo.UserID != u.ID || out.CcEmailInfo.CustomerID != accountID || *out.CcEmailInfo.CcEmail != joined ||
			!reflect.DeepEqual(out.McEmailInfos, list) {
			t.Fatalf("%s: %s", u.Name, res.Body)
		}
	}
	check(bob, acme.ID, "b1@example.com,b2@example.org", []string{"b1@example.com", "b2@example.org"})
	check(acme.Master, acme.ID, "", []string{})
	check(globex.Master, globex.ID, "", []string{})

	eng.Do("GET", ccEmailsPath, nil).ExpectError(403, "OSM.0003")
	env.Do("GET", ccEmailsPath, nil).ExpectError(401, "APIGW.0301")
}
