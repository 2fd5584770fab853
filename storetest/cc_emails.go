package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/casebook/casebook"
)

// testCcEmails: a user's carbon-copy addresses are kept in order, replaced
// whole, cleared, scoped by account, and removed with the user.
func testCcEmails(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	want := func(accountID, userID string, emails []string) {
		t.Helper()
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCcEmails(ctx, accountID, userID)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !reflect.DeepEqual(got, emails) {
				t.Fatalf("FindCcEmails(%s) = %#v, want %#v", userID, got, emails)
			}
			return nil
		})
	}
	want(f.A.ID, f.U1.ID, []string{}) // none: empty, not nil
	set := func(accountID, userID string, emails ...string) {
		t.Helper()
		write(t, s, func(tx casebook.Tx) error { return tx.SetCcEmails(ctx, accountID, userID, emails) })
	}
	set(f.A.ID, f.U1.ID, "z@example.com", "a@example.com", "m@example.com")
	set(f.A.ID, f.U2.ID, "u2@example.com")
	want(f.A.ID, f.U1.ID, []string{"z@example.com", "a@example.com", "m@example.com"}) // the order given
	want(f.A.ID, f.U2.ID, []string{"u2@example.com"})
	want(f.B.ID, f.U1.ID, []string{}) // another account sees none of them

	set(f.A.ID, f.U1.ID, "b@example.com") // replaced whole
	want(f.A.ID, f.U1.ID, []string{"b@example.com"})
	set(f.A.ID, f.U1.ID) // cleared
	want(f.A.ID, f.U1.ID, []string{})
	want(f.A.ID, f.U2.ID, []string{"u2@example.com"})

	// Setting through another account changes nothing of the user's.
	write(t, s, func(tx casebook.Tx) error { return tx.SetCcEmails(ctx, f.B.ID, f.U2.ID, nil) })
	want(f.A.ID, f.U2.ID, []string{"u2@example.com"})

	// Deleting the user deletes their addresses.
	write(t, s, func(tx casebook.Tx) error { return tx.DeleteUser(ctx, f.A.ID, f.U2.ID) })
	want(f.A.ID, f.U2.ID, []string{})
}
