package casebook_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// TestCcEmails: the operator sets a user's carbon-copy addresses within the
// configured count (at and just past it), bare valid addresses only, none
// repeated; a refused list changes nothing; the user reads their own, and a
// user with none reads an empty list.
func TestCcEmails(t *testing.T) {
	ctx := context.Background()
	s, _ := MustOpenService(t)
	_, master, err := s.CreateAccount(ctx, "acme", "master", "master-password-1")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.CreateUser(ctx, "acme", "bob", "bob-password-Q1w2e3")
	if err != nil {
		t.Fatal(err)
	}
	principal := func(id string) *casebook.Principal {
		p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	want := func(userID string, emails []string) {
		t.Helper()
		cc, err := s.CcEmails(ctx, principal(userID))
		if err != nil {
			t.Fatal(err)
		}
		if cc.UserID != userID || cc.AccountID != master.AccountID || cc.Emails == nil || !reflect.DeepEqual(cc.Emails, emails) {
			t.Fatalf("CcEmails(%s) = %+v, want %v", userID, cc, emails)
		}
	}
	want(master.ID, []string{})

	five := []string{"a@example.com", "b@example.com", "c@example.org", "d.e+f@sub.example.com", "g_h@example.co"}
	if err := s.SetUserCcEmails(ctx, "acme", "master", five); err != nil {
		t.Fatalf("five addresses (the default create_case_ccemail_max_count): %v", err)
	}
	want(master.ID, five)
	want(bob.ID, []string{}) // another user's are not theirs

	long := strings.Repeat("x", casebook.MaxCcEmailLength-len("@example.com")) + "@example.com"
	for name, list := range map[string][]string{
		"six, past the count": append(append([]string{}, five...), "z@example.com"),
		"display name":        {"Alice <alice@example.com>"},
		"angle brackets":      {"<alice@example.com>"},
		"no at":               {"alice.example.com"},
		"no domain dot":       {"alice@localhost"},
		"two in one":          {"a@example.com,b@example.com"},
		"empty":               {""},
		"too long":            {"x" + long},
		"repeated, any case":  {"a@example.com", "A@EXAMPLE.COM"},
		"trailing space":      {"a@example.com "},
		"one bad among good":  {"a@example.com", "bad"},
	} {
		err := s.SetUserCcEmails(ctx, "acme", "master", list)
		if casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	want(master.ID, five) // nothing changed

	if err := s.SetUserCcEmails(ctx, "acme", "master", []string{long}); err != nil {
		t.Fatalf("an address of %d characters: %v", casebook.MaxCcEmailLength, err)
	}
	want(master.ID, []string{long})
	if err := s.SetUserCcEmails(ctx, "acme", "master", nil); err != nil {
		t.Fatal(err)
	}
	want(master.ID, []string{})

	if err := s.SetUserCcEmails(ctx, "acme", "nobody", []string{"a@example.com"}); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Errorf("unknown user: %v, want ENOTFOUND", err)
	}
	if err := s.SetUserCcEmails(ctx, "globex", "bob", []string{"a@example.com"}); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Errorf("unknown account: %v, want ENOTFOUND", err)
	}
	if _, err := s.CcEmails(ctx, &casebook.Principal{Realm: casebook.RealmEngineer, UserID: "e"}); casebook.ErrorCode(err) != casebook.EFORBIDDEN {
		t.Errorf("an engineer: %v, want EFORBIDDEN", err)
	}

	// The count follows the configured create_case_ccemail_max_count.
	file, err := s.ExportDictionaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(file, []byte(`"create_case_ccemail_max_count": "5"`), []byte(`"create_case_ccemail_max_count": "2"`), 1)
	if bytes.Equal(edited, file) {
		t.Fatalf("no create_case_ccemail_max_count in the export: %s", file)
	}
	if _, err := s.ImportDictionaries(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserCcEmails(ctx, "acme", "bob", five[:3]); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("three addresses past a configured count of 2: %v, want EINVALID", err)
	}
	if err := s.SetUserCcEmails(ctx, "acme", "bob", five[:2]); err != nil {
		t.Fatalf("two addresses at a configured count of 2: %v", err)
	}
	want(bob.ID, five[:2])

	// The operator's listing shows them.
	users, err := s.ListUsers(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range users {
		if wantCC := map[string][]string{"master": {}, "bob": five[:2]}[l.User.Name]; !reflect.DeepEqual(l.CcEmails, wantCC) {
			t.Errorf("ListUsers: %s has %#v, want %#v", l.User.Name, l.CcEmails, wantCC)
		}
	}
}
