package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func testCredentials(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "ticket")
	createCases(t, s, c)
	a := newAuthorization(c, f.Eng, 0)
	other := newAuthorization(c, f.Eng, time.Second)
	createAuthorizations(t, s, a, other)

	creds := []casebook.Credential{
		{DetailID: a.Details[0].ID, Port: 0, Account: "console-user", Sealed: []byte{9, 8, 7, 0, 255}},
		{DetailID: a.Details[1].ID, Port: 2222, Account: "root", Sealed: []byte("sealed-password")},
	}
	write(t, s, func(tx casebook.Tx) error { return tx.SetCredentials(ctx, a.ID, creds) })
	hasCredential := func(t *testing.T, want ...bool) {
		t.Helper()
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAuthorizationByID(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range got.Details {
				if d.HasCredential != want[i] {
					t.Fatalf("detail %d HasCredential = %v, want %v", i, d.HasCredential, want[i])
				}
			}
			return nil
		})
	}
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindCredentials(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, creds) {
			t.Fatalf("FindCredentials = %+v, want %+v", got, creds)
		}
		got, err = tx.FindCredentials(ctx, other.ID)
		if err != nil || len(got) != 0 {
			t.Fatalf("FindCredentials(other) = %v, %v", got, err)
		}
		return nil
	})
	hasCredential(t, true, true)

	t.Run("Replace", func(t *testing.T) {
		write(t, s, func(tx casebook.Tx) error { return tx.SetCredentials(ctx, a.ID, creds[1:]) })
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCredentials(ctx, a.ID)
			if err != nil || !reflect.DeepEqual(got, creds[1:]) {
				t.Fatalf("after replace: %+v, %v", got, err)
			}
			return nil
		})
		hasCredential(t, false, true)
	})

	t.Run("ForeignDetail", func(t *testing.T) {
		// A detail of another authorization is refused, and nothing changes.
		err := s.Write(ctx, func(tx casebook.Tx) error {
			return tx.SetCredentials(ctx, a.ID, []casebook.Credential{{DetailID: other.Details[0].ID, Sealed: []byte("x")}})
		})
		wantCode(t, err, casebook.ENOTFOUND)
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
			return tx.SetCredentials(ctx, casebook.NewAuthorizationID(time.Now()), creds)
		}), casebook.ENOTFOUND)
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCredentials(ctx, a.ID)
			if err != nil || !reflect.DeepEqual(got, creds[1:]) {
				t.Fatalf("after a failed set: %+v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("Destroy", func(t *testing.T) {
		var n int
		write(t, s, func(tx casebook.Tx) (err error) {
			n, err = tx.DestroyCredentials(ctx, a.ID)
			return err
		})
		if n != 1 {
			t.Fatalf("DestroyCredentials = %d, want 1", n)
		}
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCredentials(ctx, a.ID)
			if err != nil || len(got) != 0 {
				t.Fatalf("credentials after destroy: %+v, %v", got, err)
			}
			return nil
		})
		hasCredential(t, false, false)
		if x, ok := s.(RawSQL); ok {
			// The rows are gone from the table, not flagged.
			n, err := x.QueryInt(ctx, "SELECT COUNT(*) FROM credentials WHERE authorization_id = '"+a.ID+"'")
			if err != nil {
				t.Fatal(err)
			} else if n != 0 {
				t.Fatalf("%d credential rows remain after destroy", n)
			}
		}
		write(t, s, func(tx casebook.Tx) (err error) {
			n, err = tx.DestroyCredentials(ctx, a.ID)
			return err
		})
		if n != 0 {
			t.Fatalf("second DestroyCredentials = %d, want 0", n)
		}
	})
}
