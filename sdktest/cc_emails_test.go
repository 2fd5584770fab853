package sdktest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// TestCaseCcEmails: the operator sets a user's carbon-copy addresses with
// `casebook user cc-email`; the user reads them with ListCaseCcEmails (a
// user with none reads an empty list), `user list --json` shows them,
// refused lists change nothing, and --clear empties them.
func TestCaseCcEmails(t *testing.T) {
	cc, err := world.createUser(world.Acme, "ccmail")
	must(t, err, "create user")
	if cc.Client, err = newClient(world.BaseURL, cc.AccessKey, cc.Secret, cc.Account.ID); err != nil {
		t.Fatal(err)
	}
	check := func(joined string, list []string) {
		t.Helper()
		resp, err := cc.Client.ListCaseCcEmails(&model.ListCaseCcEmailsRequest{XLanguage: ptr("en-us"), XTimeZone: ptr("GMT+8")})
		must(t, err, "ListCaseCcEmails")
		if resp.CcEmailInfo == nil || resp.McEmailInfos == nil {
			t.Fatalf("ListCaseCcEmails: %v", resp)
		}
		info := resp.CcEmailInfo
		if str(info.UserId) != cc.UserID || str(info.CustomerId) != world.Acme.ID || info.CcEmail == nil || *info.CcEmail != joined ||
			!reflect.DeepEqual(*resp.McEmailInfos, list) {
			t.Fatalf("ListCaseCcEmails = %v, want %q %v", resp, joined, list)
		}
	}
	check("", []string{}) // none: an empty list, not an error

	addrs := []string{"ops@example.com", "lead@example.org", "x.y+z@sub.example.net", "d@example.com", "e@example.com"}
	if _, err := world.cli("user", "cc-email", "--account", world.Acme.Name, "--user", "ccmail", "--set", strings.Join(addrs, ",")); err != nil {
		t.Fatal(err)
	}
	check(strings.Join(addrs, ","), addrs)

	// Refused, and nothing changes: one past the configured count of 5, a
	// bad address, a repeated one, neither or both of --set and --clear,
	// an unknown user.
	for _, args := range [][]string{
		{"--user", "ccmail", "--set", strings.Join(addrs, ",") + ",f@example.com"},
		{"--user", "ccmail", "--set", "not-an-address"},
		{"--user", "ccmail", "--set", "Ops <ops@example.com>"},
		{"--user", "ccmail", "--set", "a@example.com,A@example.com"},
		{"--user", "ccmail", "--set", "a@example.com,"},
		{"--user", "ccmail"},
		{"--user", "ccmail", "--set", "a@example.com", "--clear"},
		{"--user", "nobody", "--set", "a@example.com"},
	} {
		if out, err := world.cli(append([]string{"user", "cc-email", "--account", world.Acme.Name}, args...)...); err == nil {
			t.Errorf("user cc-email %v succeeded: %s", args, out)
		}
	}
	check(strings.Join(addrs, ","), addrs)

	var users []struct {
		UserName string   `json:"user_name"`
		CcEmails []string `json:"cc_emails"`
	}
	if err := world.cliJSON(&users, "user", "list", "--account", world.Acme.Name); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range users {
		if u.UserName == "ccmail" {
			found = reflect.DeepEqual(u.CcEmails, addrs)
		} else if u.CcEmails == nil {
			t.Errorf("user list --json: %s has cc_emails null, want a list", u.UserName)
		}
	}
	if !found {
		t.Errorf("user list --json does not show ccmail's addresses: %+v", users)
	}

	// Another user, of another account, sees none of them.
	dave, err := world.Dave.Client.ListCaseCcEmails(&model.ListCaseCcEmailsRequest{})
	must(t, err, "ListCaseCcEmails as dave")
	if str(dave.CcEmailInfo.UserId) != world.Dave.UserID || len(*dave.McEmailInfos) != 0 || str(dave.CcEmailInfo.CcEmail) != "" {
		t.Errorf("dave's ListCaseCcEmails = %v", dave)
	}

	if _, err := world.cli("user", "cc-email", "--account", world.Acme.Name, "--user", "ccmail", "--clear"); err != nil {
		t.Fatal(err)
	}
	check("", []string{})

	// A bad signature is refused.
	bad, err := newClient(world.BaseURL, cc.AccessKey, strings.Repeat("0", len(cc.Secret)), cc.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ListCaseCcEmails(&model.ListCaseCcEmailsRequest{})
	wantError(t, err, 401, "APIGW.0301")
}
