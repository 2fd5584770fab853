package main_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestUserCcEmail: `user cc-email` sets, replaces and clears a user's
// carbon-copy addresses, `user list --json` shows them, and a command with
// neither or both of --set and --clear, or a refused list, changes nothing.
func TestUserCcEmail(t *testing.T) {
	e := env{"CASEBOOK_DATA": t.TempDir(), "CASEBOOK_PASSWORD": "acme-Pass-1234"}
	mustRun(t, e, "account", "create", "--name", "acme")
	ccOf := func(name string) []string {
		t.Helper()
		var users []struct {
			UserName string   `json:"user_name"`
			CcEmails []string `json:"cc_emails"`
		}
		mustRunJSON(t, e, &users, "user", "list", "--account", "acme")
		for _, u := range users {
			if u.UserName == name {
				return u.CcEmails
			}
		}
		t.Fatalf("no user %q", name)
		return nil
	}
	if got := ccOf("admin"); got == nil || len(got) != 0 {
		t.Fatalf("cc_emails before = %#v, want []", got)
	}
	out := mustRun(t, e, "user", "cc-email", "--account", "acme", "--user", "admin", "--set", "a@example.com, b@example.org")
	if want := "cc e-mails of admin: a@example.com,b@example.org\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	want := []string{"a@example.com", "b@example.org"}
	if got := ccOf("admin"); !reflect.DeepEqual(got, want) {
		t.Fatalf("cc_emails = %v, want %v", got, want)
	}

	for _, c := range []struct {
		args []string
		say  string
	}{
		{[]string{}, "exactly one of --set and --clear"},
		{[]string{"--set", "c@example.com", "--clear"}, "exactly one of --set and --clear"},
		{[]string{"--set", ""}, "cc_email must be 1 to 128 characters"},
		{[]string{"--set", "c@example.com,nope"}, `"nope" is not an e-mail address`},
		{[]string{"--set", "1@x.io,2@x.io,3@x.io,4@x.io,5@x.io,6@x.io"}, "at most 5"},
	} {
		m, _, stderr := newMain(e, "")
		err := m.Run(context.Background(), append([]string{"user", "cc-email", "--account", "acme", "--user", "admin"}, c.args...))
		if err == nil || !strings.Contains(err.Error()+stderr.String(), c.say) {
			t.Errorf("cc-email %v: %v (stderr %q), want it to say %q", c.args, err, stderr, c.say)
		}
	}
	if got := ccOf("admin"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after refused commands: cc_emails = %v, want %v", got, want)
	}

	if out := mustRun(t, e, "user", "cc-email", "--account", "acme", "--user", "admin", "--clear"); out != "cc e-mails of admin cleared\n" {
		t.Errorf("--clear output %q", out)
	}
	if got := ccOf("admin"); got == nil || len(got) != 0 {
		t.Fatalf("cc_emails after --clear = %#v, want []", got)
	}
}
