package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// testLabelTotals checks the total of a one-label ticket list, which comes
// from live counts (migration 0013), against the list itself in every
// scope, as tickets are labelled, deleted, restored and unlabelled and the
// label is deleted.
func testLabelTotals(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	red, blue := newLabel(f.U1, "red", "#FF0000"), newLabel(f.U1, "blue", "#0000FF")
	// u1 has 3 tickets, u2 has 2, u3 has 1; B's user 1.
	var cases []*casebook.Case
	for _, x := range []struct {
		u *casebook.User
		n int
	}{{f.U1, 3}, {f.U2, 2}, {f.U3, 1}, {f.BU, 1}} {
		for j := range x.n {
			cases = append(cases, newCase(x.u, time.Duration(len(cases))*time.Second, fmt.Sprintf("%s %d", x.u.Name, j)))
		}
	}
	createCases(t, s, cases...)
	write(t, s, func(tx casebook.Tx) error {
		for _, l := range []*casebook.Label{red, blue} {
			if err := tx.CreateLabel(ctx, l); err != nil {
				return err
			}
		}
		for i, c := range cases[:6] {
			if err := tx.AddCaseLabel(ctx, c, red.ID, at(time.Hour)); err != nil {
				return err
			}
			if i%2 == 0 {
				if err := tx.AddCaseLabel(ctx, c, blue.ID, at(time.Hour)); err != nil {
					return err
				}
			}
		}
		// Labelling twice changes nothing.
		return tx.AddCaseLabel(ctx, cases[0], red.ID, at(time.Hour))
	})

	scopes := []struct {
		name  string
		scope casebook.Scope
	}{{"Master", f.master()}, {"SubUser", f.sub(f.U1)}, {"Group", f.group(f.U1, f.G)}, {"OtherAccount", f.sub(f.BU)}}
	check := func(step string, want map[string][2]int) {
		t.Helper()
		read(t, s, func(tx casebook.Tx) error {
			for _, sc := range scopes {
				for i, label := range []int64{red.ID, blue.ID} {
					all, _, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: sc.scope, LabelIDs: []int64{label}})
					if err != nil {
						return err
					}
					// A one-ticket page leaves the rest to the count.
					page, total, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: sc.scope, LabelIDs: []int64{label}, Limit: 1})
					if err != nil {
						return err
					}
					if len(all) != want[sc.name][i] || total != len(all) || len(page) != min(1, len(all)) {
						t.Errorf("%s: %s, label %d: %d tickets, total %d (page %d); want %d",
							step, sc.name, i, len(all), total, len(page), want[sc.name][i])
					}
				}
			}
			return nil
		})
	}
	check("labelled", map[string][2]int{"Master": {6, 3}, "SubUser": {3, 2}, "Group": {5, 3}, "OtherAccount": {0, 0}})

	deleted := *cases[0] // u1's, with both labels
	deleted.Status = casebook.CaseStatusDeleted
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &deleted) })
	check("ticket deleted", map[string][2]int{"Master": {5, 2}, "SubUser": {2, 1}, "Group": {4, 2}, "OtherAccount": {0, 0}})
	// Another update of the deleted ticket keeps it out.
	deleted.Judgement = "again"
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &deleted) })
	check("deleted ticket updated", map[string][2]int{"Master": {5, 2}, "SubUser": {2, 1}, "Group": {4, 2}, "OtherAccount": {0, 0}})
	restored := deleted
	restored.Status = casebook.CaseStatusProcessing
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &restored) })
	check("ticket restored", map[string][2]int{"Master": {6, 3}, "SubUser": {3, 2}, "Group": {5, 3}, "OtherAccount": {0, 0}})

	write(t, s, func(tx casebook.Tx) error { return tx.RemoveCaseLabel(ctx, cases[3].ID, red.ID) }) // u2's
	check("link removed", map[string][2]int{"Master": {5, 3}, "SubUser": {3, 2}, "Group": {4, 3}, "OtherAccount": {0, 0}})
	// A link removed while its ticket is deleted comes back with neither.
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.UpdateCase(ctx, &deleted); err != nil {
			return err
		}
		if err := tx.RemoveCaseLabel(ctx, cases[0].ID, blue.ID); err != nil {
			return err
		}
		return tx.UpdateCase(ctx, &restored)
	})
	check("link removed while deleted", map[string][2]int{"Master": {5, 2}, "SubUser": {3, 1}, "Group": {4, 2}, "OtherAccount": {0, 0}})

	write(t, s, func(tx casebook.Tx) error { return tx.DeleteLabel(ctx, f.A.ID, f.U1.ID, blue.ID) })
	check("label deleted", map[string][2]int{"Master": {5, 0}, "SubUser": {3, 0}, "Group": {4, 0}, "OtherAccount": {0, 0}})
}

// testCaseStatusCounts checks the ticket counts by status, which come from
// live counts (migration 0013), as tickets change status and are deleted
// and restored, in every scope.
func testCaseStatusCounts(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var cases []*casebook.Case
	for _, u := range []*casebook.User{f.U1, f.U1, f.U1, f.U2, f.U3, f.BU} {
		cases = append(cases, newCase(u, time.Duration(len(cases))*time.Second, u.Name))
	}
	createCases(t, s, cases...)
	processing, completed := casebook.CaseStatusPendingAcceptance, casebook.CaseStatusCompleted // new tickets wait for acceptance
	check := func(step string, want map[string]map[int]int) {
		t.Helper()
		read(t, s, func(tx casebook.Tx) error {
			for name, scope := range map[string]casebook.Scope{"Master": f.master(), "SubUser": f.sub(f.U1),
				"Group": f.group(f.U1, f.G), "OtherAccount": f.sub(f.BU)} {
				got, err := tx.CountCasesByStatus(ctx, scope)
				if err != nil {
					return err
				}
				if fmt.Sprint(got) != fmt.Sprint(want[name]) {
					t.Errorf("%s: %s counts %v, want %v", step, name, got, want[name])
				}
			}
			return nil
		})
	}
	check("created", map[string]map[int]int{"Master": {processing: 5}, "SubUser": {processing: 3},
		"Group": {processing: 4}, "OtherAccount": {processing: 1}})
	update := func(c *casebook.Case, status int) {
		c.Status = status
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, c) })
	}
	update(cases[0], completed)
	update(cases[3], completed)
	check("completed", map[string]map[int]int{"Master": {processing: 3, completed: 2}, "SubUser": {processing: 2, completed: 1},
		"Group": {processing: 2, completed: 2}, "OtherAccount": {processing: 1}})
	update(cases[1], casebook.CaseStatusDeleted)
	update(cases[0], casebook.CaseStatusDeleted)
	check("deleted", map[string]map[int]int{"Master": {processing: 2, completed: 1}, "SubUser": {processing: 1},
		"Group": {processing: 1, completed: 1}, "OtherAccount": {processing: 1}})
	update(cases[0], completed)
	check("restored", map[string]map[int]int{"Master": {processing: 2, completed: 2}, "SubUser": {processing: 1, completed: 1},
		"Group": {processing: 1, completed: 2}, "OtherAccount": {processing: 1}})
}
