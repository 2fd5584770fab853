package storetest

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func testAudit(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	events := []*casebook.AuditEvent{
		{At: at(0), ActorRealm: casebook.RealmCustomer, ActorID: "u1", ActorName: "alice", Action: casebook.AuditGrantConfirmed,
			AccountID: "acc-a", CaseID: "CS1", AuthorizationID: "AU1", Detail: "window 1h"},
		{At: at(time.Second), ActorRealm: casebook.RealmEngineer, ActorID: "e1", ActorName: "bob", Action: casebook.AuditCredentialRead,
			AccountID: "acc-a", CaseID: "CS1", AuthorizationID: "AU1", Detail: "2 credentials"},
		{At: at(2 * time.Second), ActorRealm: casebook.RealmEngineer, ActorID: "e1", ActorName: "bob", Action: casebook.AuditCredentialRead,
			AccountID: "acc-b", CaseID: "CS2", AuthorizationID: "AU2"},
		{At: at(3 * time.Second), ActorRealm: "system", Action: casebook.AuditCredentialDestroyed, AccountID: "acc-a", AuthorizationID: "AU1"},
	}
	write(t, s, func(tx casebook.Tx) error {
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	for i := 1; i < len(events); i++ {
		if events[i].ID <= events[i-1].ID {
			t.Fatalf("audit ids not increasing: %d then %d", events[i-1].ID, events[i].ID)
		}
	}
	e0, e1, e2, e3 := events[0], events[1], events[2], events[3]
	for _, tc := range []struct {
		name   string
		filter casebook.AuditFilter
		want   []*casebook.AuditEvent
	}{
		{"All", casebook.AuditFilter{}, []*casebook.AuditEvent{e3, e2, e1, e0}},
		{"Account", casebook.AuditFilter{AccountID: "acc-a"}, []*casebook.AuditEvent{e3, e1, e0}},
		{"Authorization", casebook.AuditFilter{AuthorizationID: "AU2"}, []*casebook.AuditEvent{e2}},
		{"Actor", casebook.AuditFilter{ActorID: "e1", Limit: 1}, []*casebook.AuditEvent{e2}},
		{"Combined", casebook.AuditFilter{AccountID: "acc-a", ActorID: "e1"}, []*casebook.AuditEvent{e1}},
		{"None", casebook.AuditFilter{AccountID: "acc-c"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read(t, s, func(tx casebook.Tx) error {
				got, err := tx.FindAudit(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				} else if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("FindAudit = %+v, want %+v", got, tc.want)
				}
				return nil
			})
		})
	}

	t.Run("AppendOnly", func(t *testing.T) {
		x, ok := s.(RawSQL)
		if !ok {
			t.Skip("store does not expose raw SQL")
		}
		// The same statements on another table work: what fails below is
		// the audit log refusing them.
		if err := x.ExecSQL(ctx, "UPDATE accounts SET name = name"); err != nil {
			t.Fatalf("control statement: %v", err)
		}
		for _, q := range []string{
			"UPDATE audit_events SET detail = 'tampered'",
			"UPDATE audit_events SET detail = 'tampered' WHERE authorization_id = 'AU1'",
			"DELETE FROM audit_events",
			"DELETE FROM audit_events WHERE id = " + itoa(e1.ID),
		} {
			if err := x.ExecSQL(ctx, q); err == nil {
				t.Errorf("%s: succeeded, want the schema to refuse it", q)
			}
		}
		n, err := x.QueryInt(ctx, "SELECT COUNT(*) FROM audit_events WHERE detail = 'tampered'")
		if err != nil || n != 0 {
			t.Fatalf("tampered rows: %d, %v", n, err)
		}
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAudit(ctx, casebook.AuditFilter{})
			if err != nil || !reflect.DeepEqual(got, []*casebook.AuditEvent{e3, e2, e1, e0}) {
				t.Fatalf("audit log changed: %+v, %v", got, err)
			}
			return nil
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
