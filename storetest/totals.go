package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// CountBound is implemented by the stores the test packages hand to Run
// when the suite may lower their bound of counted totals
// (casebook.MaxCountedTotal), so that it reaches the bound with a few rows
// instead of 65 thousand. Stores without it skip that test.
type CountBound interface {
	SetMaxCountedTotal(n int)
}

// testBoundedTotals checks the totals of FindCases and of the filtered
// FindAuthorizations around a bound of 5: exact up to it, the bound beyond
// it, and never less than the end of the page returned. The unfiltered
// customer lists of authorizations come from live counts: always exact.
func testBoundedTotals(t *testing.T, s casebook.Store) {
	cb, ok := s.(CountBound)
	if !ok {
		t.Skip("the store's count bound cannot be lowered")
	}
	const bound = 5
	cb.SetMaxCountedTotal(bound)
	ctx := context.Background()
	f := newFixture(t, s)

	// u1 has 8 tickets, u2 has 2 (10 for the group of u1 and u2), u3 has 3;
	// each ticket has one authorization.
	var cases []*casebook.Case
	var auths []*casebook.Authorization
	for _, x := range []struct {
		u *casebook.User
		n int
	}{{f.U1, 8}, {f.U2, 2}, {f.U3, 3}} {
		for j := range x.n {
			c := newCase(x.u, time.Duration(len(cases))*time.Second, fmt.Sprintf("%s %d", x.u.Name, j))
			cases = append(cases, c)
			auths = append(auths, newAuthorization(c, f.Eng, time.Duration(len(auths))*time.Second))
		}
	}
	createCases(t, s, cases...)
	createAuthorizations(t, s, auths...)
	// Every ticket carries one label: the label's list, whose total comes
	// from live counts, reports the same bounded totals.
	label := newLabel(f.U1, "all", "#FF0000")
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateLabel(ctx, label); err != nil {
			return err
		}
		for _, c := range cases {
			if err := tx.AddCaseLabel(ctx, c, label.ID, at(time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})

	for _, tc := range []struct {
		name          string
		scope         casebook.Scope
		offset, limit int
		page, total   int // of FindCases, and the page of FindAuthorizations
		exact         int // the total of FindAuthorizations
	}{
		{"MasterFirstPage", f.master(), 0, 2, 2, bound, 13},            // 13 rows
		{"MasterPageInside", f.master(), 2, 2, 2, bound, 13},           // ends before the bound
		{"MasterPageEndsAtBound", f.master(), 3, 2, 2, bound, 13},      // ends at it
		{"MasterPageBeyond", f.master(), 6, 2, 2, 8, 13},               // counted to the end of the page
		{"MasterLastPage", f.master(), 10, 5, 3, 13, 13},               // a short page tells the total
		{"MasterPastTheEnd", f.master(), 20, 5, 0, 13, 13},             // counted up to offset+limit: exact
		{"MasterUnlimited", f.master(), 0, 0, 13, 13, 13},              // all rows
		{"SubUser", f.sub(f.U1), 0, 2, 2, bound, 8},                    // 8 rows
		{"SubUserUnderBound", f.sub(f.U3), 0, 2, 2, 3, 3},              // 3 rows: exact
		{"Group", f.group(f.U1, f.G), 0, 2, 2, bound, 10},              // 10 rows
		{"GroupNotAMember", f.group(f.U3, f.G), 0, 2, 2, 3, 3},         // u3's own
		{"OtherAccount", f.sub(f.BU), 0, 2, 0, 0, 0},                   // none
		{"MasterExactlyBound", f.master(), 0, bound, bound, bound, 13}, // a full page of the bound
	} {
		t.Run(tc.name, func(t *testing.T) {
			read(t, s, func(tx casebook.Tx) error {
				got, total, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: tc.scope, Offset: tc.offset, Limit: tc.limit})
				if err != nil {
					t.Fatal(err)
				} else if len(got) != tc.page || total != tc.total {
					t.Errorf("FindCases: %d tickets, total %d; want %d, %d", len(got), total, tc.page, tc.total)
				}
				got, total, err = tx.FindCases(ctx, casebook.CaseFilter{Scope: tc.scope, LabelIDs: []int64{label.ID},
					Offset: tc.offset, Limit: tc.limit})
				if err != nil {
					t.Fatal(err)
				} else if len(got) != tc.page || total != tc.total {
					t.Errorf("FindCases(label): %d tickets, total %d; want %d, %d", len(got), total, tc.page, tc.total)
				}
				as, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: tc.scope, Now: at(time.Hour),
					Offset: tc.offset, Limit: tc.limit})
				if err != nil {
					t.Fatal(err)
				} else if len(as) != tc.page || total != tc.exact {
					t.Errorf("FindAuthorizations: %d authorizations, total %d; want %d, %d", len(as), total, tc.page, tc.exact)
				}
				return nil
			})
		})
	}

	// Filters are counted under the bound too: 13 pending, 0 authorized.
	pending, authorized := casebook.AuthStatusPending, casebook.AuthStatusAuthorized
	read(t, s, func(tx casebook.Tx) error {
		for _, x := range []struct {
			status *int
			total  int
		}{{&pending, bound}, {&authorized, 0}} {
			_, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: f.master(), Now: at(time.Hour),
				Status: x.status, Limit: 1})
			if err != nil {
				t.Fatal(err)
			} else if total != x.total {
				t.Errorf("FindAuthorizations(status %d): total %d, want %d", *x.status, total, x.total)
			}
		}
		_, total, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: f.master(), CreatorName: "u1", Limit: 1})
		if err != nil {
			t.Fatal(err)
		} else if total != bound {
			t.Errorf("FindCases(creator u1): total %d, want %d", total, bound)
		}
		return nil
	})
}
