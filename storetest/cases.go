package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func testCases(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, time.Minute, "disk full on ecs-1")
	bare := newCase(f.U2, 2*time.Minute, "")
	bare.ExtendsMap = nil
	createCases(t, s, c, bare)

	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindCase(ctx, f.sub(f.U1), c.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, c) {
			t.Fatalf("FindCase =\n%+v\nwant\n%+v", got, c)
		}
		got, err = tx.FindCaseByID(ctx, bare.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, bare) {
			t.Fatalf("FindCaseByID =\n%+v\nwant\n%+v", got, bare)
		}
		_, err = tx.FindCase(ctx, f.master(), "CS20260314NOSUCHCASE00")
		wantCode(t, err, casebook.ENOTFOUND)
		if r := casebook.ErrorReason(err); r != casebook.ReasonCaseNotFound {
			t.Fatalf("reason = %q, want %q", r, casebook.ReasonCaseNotFound)
		}
		_, err = tx.FindCaseByID(ctx, "CS20260314NOSUCHCASE00")
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})

	t.Run("DuplicateID", func(t *testing.T) {
		dup := newCase(f.U1, 0, "dup")
		dup.ID = c.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateCase(ctx, dup) }), casebook.ECONFLICT)
	})

	t.Run("Update", func(t *testing.T) {
		u := *c
		u.Status = casebook.CaseStatusCompleted
		u.AssigneeID, u.AssigneeName = f.Eng.ID, f.Eng.Name
		u.Judgement = "great"
		u.UpdatedAt = at(time.Hour)
		u.ConfirmedAt = ptr(at(time.Hour))
		u.LastUrgedAt = ptr(at(30 * time.Minute))
		u.SimpleDescription = "not saved"
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &u) })
		u.SimpleDescription = c.SimpleDescription
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCase(ctx, f.master(), c.ID)
			if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(got, &u) {
				t.Fatalf("after UpdateCase:\n%+v\nwant\n%+v", got, &u)
			}
			return nil
		})
		// Optional times can be cleared again.
		u.LastUrgedAt = nil
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &u) })
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindCaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			} else if got.LastUrgedAt != nil {
				t.Fatalf("LastUrgedAt = %v, want nil", got.LastUrgedAt)
			}
			return nil
		})
		// The account must match.
		other := u
		other.AccountID = f.B.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &other) }), casebook.ENOTFOUND)
	})

	t.Run("Deleted", func(t *testing.T) {
		d := *bare
		d.Status = casebook.CaseStatusDeleted
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &d) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindCase(ctx, f.master(), d.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			got, err := tx.FindCaseByID(ctx, d.ID)
			if err != nil || got.Status != casebook.CaseStatusDeleted {
				t.Fatalf("FindCaseByID of a deleted ticket = %v, %v", got, err)
			}
			return nil
		})
	})
}

// testCaseScope checks who sees which ticket.
func testCaseScope(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c1 := newCase(f.U1, 1*time.Minute, "u1")
	c2 := newCase(f.U2, 2*time.Minute, "u2")
	c3 := newCase(f.U3, 3*time.Minute, "u3")
	cm := newCase(f.AMaster, 4*time.Minute, "master")
	cb := newCase(f.BU, 5*time.Minute, "other account")
	createCases(t, s, c1, c2, c3, cm, cb)

	for _, tc := range []struct {
		name  string
		scope casebook.Scope
		sees  []*casebook.Case
	}{
		{"master", f.master(), []*casebook.Case{c1, c2, c3, cm}},
		{"sub-user", f.sub(f.U1), []*casebook.Case{c1}},
		{"group member", f.group(f.U1, f.G), []*casebook.Case{c1, c2}},
		{"group of another member", f.group(f.U2, f.G), []*casebook.Case{c1, c2}},
		{"group the user is not in", f.group(f.U1, f.G3), []*casebook.Case{c1}},
		{"group of another account", casebook.Scope{AccountID: f.B.ID, UserID: f.BU.ID, GroupID: f.G.ID}, []*casebook.Case{cb}},
		{"user of another account", casebook.Scope{AccountID: f.A.ID, UserID: f.BU.ID}, nil},
		{"master of another account", casebook.Scope{AccountID: f.B.ID, All: true, UserID: f.BMaster.ID}, []*casebook.Case{cb}},
		{"no account", casebook.Scope{All: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read(t, s, func(tx casebook.Tx) error {
				for _, c := range []*casebook.Case{c1, c2, c3, cm, cb} {
					_, err := tx.FindCase(ctx, tc.scope, c.ID)
					if slices.Contains(tc.sees, c) {
						if err != nil {
							t.Errorf("FindCase(%s) = %v, want the ticket", c.SimpleDescription, err)
						}
					} else {
						wantCode(t, err, casebook.ENOTFOUND)
					}
				}
				list, total, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: tc.scope})
				if err != nil {
					t.Fatal(err)
				}
				want := caseIDs(tc.sees)
				slices.Reverse(want) // newest first
				if got := caseIDs(list); !slices.Equal(got, want) || total != len(want) {
					t.Fatalf("FindCases = %v (total %d), want %v", got, total, want)
				}
				return nil
			})
		})
	}
}

func testFindCases(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	// 25 tickets of u1 and u2, one per minute; a few with special texts.
	var all []*casebook.Case
	for i := range 25 {
		u := f.U1
		if i%2 == 1 {
			u = f.U2
		}
		c := newCase(u, time.Duration(i)*time.Minute, "routine ticket")
		switch i {
		case 3:
			c.SimpleDescription = "Disk FULL on ecs-7"
		case 4:
			c.SimpleDescription = "cpu 100% on ecs-7"
		case 5:
			c.SimpleDescription = "cpu 1000 on ecs_7"
		case 6:
			c.SimpleDescription = `C:\tmp\log_1`
		}
		c.Status = []int{0, 1, 2, 17}[i%4]
		all = append(all, c)
	}
	other := newCase(f.BU, 30*time.Minute, "routine ticket")
	createCases(t, s, append(all, other)...)
	newest := slices.Clone(all)
	slices.Reverse(newest)

	write(t, s, func(tx casebook.Tx) error {
		// Ticket 0 is deleted; ticket 1 assigned.
		d := *all[0]
		d.Status = casebook.CaseStatusDeleted
		if err := tx.UpdateCase(ctx, &d); err != nil {
			return err
		}
		a := *all[1]
		a.AssigneeID = f.Eng.ID
		return tx.UpdateCase(ctx, &a)
	})

	find := func(t *testing.T, filter casebook.CaseFilter) ([]string, int) {
		t.Helper()
		var ids []string
		var total int
		read(t, s, func(tx casebook.Tx) error {
			list, n, err := tx.FindCases(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			ids, total = caseIDs(list), n
			return nil
		})
		return ids, total
	}
	pick := func(idx ...int) []string {
		var ids []string
		for _, i := range idx {
			ids = append(ids, all[i].ID)
		}
		return ids
	}

	t.Run("Paging", func(t *testing.T) {
		visible := caseIDs(newest[:24]) // all but the deleted ticket 0
		for _, p := range []struct{ offset, limit int }{{0, 10}, {10, 10}, {20, 10}, {24, 10}, {100, 10}, {0, 0}} {
			ids, total := find(t, casebook.CaseFilter{Scope: f.master(), Offset: p.offset, Limit: p.limit})
			end := len(visible)
			if p.limit > 0 {
				end = min(p.offset+p.limit, len(visible))
			}
			var want []string
			if p.offset < len(visible) {
				want = visible[p.offset:end]
			}
			if total != 24 || !slices.Equal(ids, want) {
				t.Fatalf("offset %d limit %d: %v (total %d), want %v (total 24)", p.offset, p.limit, ids, total, want)
			}
		}
	})

	status := func(n int) *int { return &n }
	for _, tc := range []struct {
		name   string
		filter casebook.CaseFilter
		want   []string
	}{
		{"Status", casebook.CaseFilter{Scope: f.master(), Status: status(17)}, pick(23, 19, 15, 11, 7, 3)},
		{"Statuses", casebook.CaseFilter{Scope: f.master(), Statuses: []int{2, 17}, Limit: 3}, pick(23, 22, 19)},
		{"DeletedHidden", casebook.CaseFilter{Scope: f.master(), Status: status(casebook.CaseStatusDeleted)}, nil},
		{"IncludeDeleted", casebook.CaseFilter{Scope: f.master(), Status: status(casebook.CaseStatusDeleted), IncludeDeleted: true}, pick(0)},
		{"SearchKeyCaseInsensitive", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"disk full"}}, pick(3)},
		{"SearchKeysAll", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"ecs", "cpu"}}, pick(5, 4)},
		{"SearchKeyPercent", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"100%"}}, pick(4)},
		{"SearchKeyUnderscore", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"ecs_"}}, pick(5)},
		{"SearchKeyBackslash", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{`\`}}, pick(6)},
		{"SearchKeyBackslashLetter", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{`\t`}}, pick(6)},
		{"SearchKeyEscapedPercent", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{`\%`}}, nil},
		{"SearchKeyUnderscoreIsNotAnyChar", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"_1"}}, pick(6)},
		{"SearchKeyPercentIsNotAnything", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"%"}}, pick(4)},
		// A NUL is matched literally, and no description holds one: the
		// drivers must not cut the pattern at it ("%" would match all).
		{"SearchKeyNUL", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"\x00routine"}}, nil},
		{"SearchKeyNULAfter", casebook.CaseFilter{Scope: f.master(), SearchKeys: []string{"routine\x00"}}, nil},
		{"AppKeyNUL", casebook.CaseFilter{Scope: f.master(), AppKey: "\x00"}, nil},
		{"AppKeyPercent", casebook.CaseFilter{Scope: f.master(), AppKey: "%"}, pick(4)},
		{"AppKeyID", casebook.CaseFilter{Scope: f.master(), AppKey: all[9].ID}, pick(9)},
		{"AppKeyDescription", casebook.CaseFilter{Scope: f.master(), AppKey: "ecs-7"}, pick(4, 3)},
		{"ID", casebook.CaseFilter{Scope: f.master(), ID: all[7].ID}, pick(7)},
		{"IDOfAnotherAccount", casebook.CaseFilter{Scope: f.master(), ID: other.ID}, nil},
		{"CreatorID", casebook.CaseFilter{Scope: f.master(), CreatorID: f.U2.ID, Limit: 2}, pick(23, 21)},
		{"CreatorName", casebook.CaseFilter{Scope: f.master(), CreatorName: "u1", Limit: 2}, pick(24, 22)},
		{"Assignee", casebook.CaseFilter{Scope: f.master(), AssigneeID: f.Eng.ID}, pick(1)},
		{"CreatedRange", casebook.CaseFilter{Scope: f.master(), CreatedFrom: ptr(at(10 * time.Minute)), CreatedTo: ptr(at(12 * time.Minute))}, pick(12, 11, 10)},
		{"AllAccounts", casebook.CaseFilter{AllAccounts: true, Limit: 2}, []string{other.ID, all[24].ID}},
		{"QueueOfOneAccount", casebook.CaseFilter{AllAccounts: true, AccountID: f.B.ID}, []string{other.ID}},
		{"Unassigned", casebook.CaseFilter{Scope: f.master(), Unassigned: true, Statuses: []int{1}}, pick(21, 17, 13, 9, 5)},
		{"AllAccountsStatus", casebook.CaseFilter{AllAccounts: true, Status: status(0), Limit: 2}, []string{other.ID, all[24].ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, total := find(t, tc.filter)
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("ids = %v, want %v", ids, tc.want)
			}
			if tc.filter.Limit == 0 && total != len(tc.want) {
				t.Fatalf("total = %d, want %d", total, len(tc.want))
			}
		})
	}
	t.Run("Totals", func(t *testing.T) {
		if _, total := find(t, casebook.CaseFilter{Scope: f.master(), Statuses: []int{2, 17}, Limit: 3}); total != 12 {
			t.Fatalf("total = %d, want 12", total)
		}
		if _, total := find(t, casebook.CaseFilter{AllAccounts: true, Limit: 2}); total != 25 {
			t.Fatalf("all accounts total = %d, want 25 (24 visible of A, 1 of B)", total)
		}
	})
}

func testMessages(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "with messages")
	createCases(t, s, c)
	var msgs []*casebook.Message
	for i := range 5 {
		m := &casebook.Message{ID: casebook.NewMessageID(), AccountID: f.A.ID, CaseID: c.ID,
			Type: i % 2, AuthorID: f.U1.ID, AuthorName: "u1", Content: "message " + string(rune('a'+i)),
			IsFirst: i == 0, CreatedAt: at(time.Duration(i) * time.Second)}
		msgs = append(msgs, m)
	}
	acc1 := newAccessory(f.U1, 0, "a.png")
	acc2 := newAccessory(f.U1, time.Second, "b.txt")
	write(t, s, func(tx casebook.Tx) error {
		for _, m := range slices.Backward(msgs) { // insertion order must not matter
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		for _, a := range []*casebook.Accessory{acc1, acc2} {
			if err := tx.CreateAccessory(ctx, a); err != nil {
				return err
			}
		}
		return tx.AttachAccessories(ctx, f.A.ID, []string{acc1.ID, acc2.ID}, c.ID, msgs[1].ID)
	})
	msgs[1].Accessories = []casebook.AccessoryRef{{ID: acc1.ID, FileName: "a.png"}, {ID: acc2.ID, FileName: "b.txt"}}

	read(t, s, func(tx casebook.Tx) error {
		got, total, err := tx.FindMessages(ctx, casebook.MessageFilter{AccountID: f.A.ID, CaseID: c.ID, Offset: 1, Limit: 2})
		if err != nil {
			t.Fatal(err)
		} else if total != 5 || !reflect.DeepEqual(got, msgs[1:3]) {
			t.Fatalf("FindMessages = %+v (total %d), want %+v (total 5)", got, total, msgs[1:3])
		}
		got, _, err = tx.FindMessages(ctx, casebook.MessageFilter{AccountID: f.A.ID, CaseID: c.ID})
		if err != nil || len(got) != 5 || !got[0].IsFirst || got[4].ID != msgs[4].ID {
			t.Fatalf("FindMessages without limit = %d messages, %v", len(got), err)
		}
		got, total, err = tx.FindMessages(ctx, casebook.MessageFilter{AccountID: f.B.ID, CaseID: c.ID})
		if err != nil || total != 0 || len(got) != 0 {
			t.Fatalf("FindMessages of another account = %v, %d, %v", got, total, err)
		}
		return nil
	})
}
