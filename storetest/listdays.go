package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// DaySkip is implemented by the stores the test packages hand to Run when
// the suite may lower the offset from which the customer lists of
// authorizations start at the offset's day (see the sql stores'
// pageVisibleAuthorizations), so that every offset takes that path with a
// few rows. Without it the suite still checks every page, by whatever path
// the store takes.
type DaySkip interface {
	SetSkipDaysFrom(n int)
}

// testAuthorizationPages checks every page of the unfiltered customer
// lists of authorizations against the list built here: rows spread over
// several UTC days, some at the first and last millisecond of a day, in
// two accounts, for each kind of scope; again after a ticket is deleted
// and after more rows arrive. Totals must be exact.
func testAuthorizationPages(t *testing.T, s casebook.Store) {
	if ds, ok := s.(DaySkip); ok {
		ds.SetSkipDaysFrom(1)
	}
	ctx := context.Background()
	f := newFixture(t, s)

	owners := []*casebook.User{f.U1, f.U1, f.U2, f.U2, f.U3, f.AMaster, f.BU, f.BMaster}
	var tickets []*casebook.Case
	for i, u := range owners {
		tickets = append(tickets, newCase(u, time.Duration(i)*time.Second, "pages"))
	}
	createCases(t, s, tickets...)

	// Times on six days, newest day first in the list; the i-th row of a
	// batch goes to ticket i%len(tickets).
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var offsets []time.Duration
	for d := range 6 {
		base := time.Duration(d) * 24 * time.Hour
		offsets = append(offsets, base, base+24*time.Hour-time.Millisecond) // a day's first and last millisecond
		for h := range d + 2 {
			offsets = append(offsets, base+time.Duration(h*3+1)*time.Hour+time.Duration(d*7+h)*time.Second)
		}
	}
	var all []*casebook.Authorization
	add := func(offsets []time.Duration) {
		t.Helper()
		var batch []*casebook.Authorization
		for i, o := range offsets {
			a := newAuthorization(tickets[(len(all)+i)%len(tickets)], f.Eng, 0)
			a.CreatedAt, a.UpdatedAt = day.Add(o), day.Add(o)
			batch = append(batch, a)
		}
		createAuthorizations(t, s, batch...)
		all = append(all, batch...)
	}
	add(offsets)

	deleted := map[string]bool{}
	creatorOf := map[string]string{}
	for _, c := range tickets {
		creatorOf[c.ID] = c.CreatorID
	}
	scopes := []struct {
		name     string
		scope    casebook.Scope
		creators []string
	}{
		{"Master", f.master(), []string{f.AMaster.ID, f.U1.ID, f.U2.ID, f.U3.ID}},
		{"SubUser", f.sub(f.U1), []string{f.U1.ID}},
		{"SubUserAlone", f.sub(f.U3), []string{f.U3.ID}},
		{"Group", f.group(f.U2, f.G), []string{f.U1.ID, f.U2.ID}},
		{"GroupNotAMember", f.group(f.U3, f.G), []string{f.U3.ID}},
		{"OtherMaster", casebook.Scope{AccountID: f.B.ID, All: true, UserID: f.BMaster.ID}, []string{f.BU.ID, f.BMaster.ID}},
		{"OtherSubUser", f.sub(f.BU), []string{f.BU.ID}},
		{"UserOfOtherAccount", casebook.Scope{AccountID: f.A.ID, UserID: f.BU.ID}, nil},
	}
	check := func(t *testing.T) {
		for _, sc := range scopes {
			var want []string // newest first
			for _, a := range all {
				if !deleted[a.CaseID] && slices.Contains(sc.creators, creatorOf[a.CaseID]) {
					want = append(want, a.ID)
				}
			}
			byTime := map[string]time.Time{}
			for _, a := range all {
				byTime[a.ID] = a.CreatedAt
			}
			slices.SortFunc(want, func(x, y string) int { return byTime[y].Compare(byTime[x]) })

			read(t, s, func(tx casebook.Tx) error {
				for _, limit := range []int{1, 3, 100} {
					for offset := 0; offset <= len(want)+1; offset++ {
						page, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{
							Scope: sc.scope, Now: day, Offset: offset, Limit: limit})
						if err != nil {
							t.Fatal(err)
						}
						wantPage := want[min(offset, len(want)):min(offset+limit, len(want))]
						if got := authorizationIDs(page); !slices.Equal(got, wantPage) || total != len(want) {
							t.Fatalf("%s: offset %d limit %d: %v, total %d; want %v, total %d",
								sc.name, offset, limit, got, total, wantPage, len(want))
						}
					}
				}
				return nil
			})
		}
	}

	t.Run("Initial", check)
	t.Run("TicketDeleted", func(t *testing.T) {
		d := *tickets[2] // one of u2's
		d.Status = casebook.CaseStatusDeleted
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &d) })
		deleted[d.ID] = true
		check(t)
	})
	t.Run("MoreRows", func(t *testing.T) {
		// On a new newest day, on a day in the middle, and before the oldest.
		add([]time.Duration{8 * 24 * time.Hour, 3*24*time.Hour + 90*time.Minute, -time.Hour, -25 * time.Hour, 8*24*time.Hour + time.Second})
		check(t)
	})
}

// authorizationIDs returns the ids of authorizations, in order.
func authorizationIDs(as []*casebook.Authorization) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}
