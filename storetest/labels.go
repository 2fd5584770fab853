package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func newLabel(u *casebook.User, name, color string) *casebook.Label {
	return &casebook.Label{AccountID: u.AccountID, OwnerID: u.ID, Name: name, Color: color, CreatedAt: at(time.Minute)}
}

func testLabels(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	red, blue := newLabel(f.U1, "red", "#FF0000"), newLabel(f.U1, "blue", "#0000FF")
	other := newLabel(f.U2, "red", "#FF0000") // the same name, another owner
	write(t, s, func(tx casebook.Tx) error {
		for _, l := range []*casebook.Label{red, blue, other} {
			if err := tx.LockLabelOwner(ctx, l.OwnerID); err != nil {
				return err
			}
			if err := tx.CreateLabel(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if red.ID <= 0 || blue.ID <= red.ID || other.ID <= blue.ID {
		t.Fatalf("ids %d %d %d: want increasing positive ids", red.ID, blue.ID, other.ID)
	}
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateLabel(ctx, newLabel(f.U1, "red", "#000000")) }), casebook.ECONFLICT)

	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindLabel(ctx, f.A.ID, f.U1.ID, red.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, red) {
			t.Fatalf("FindLabel = %+v, want %+v", got, red)
		}
		// Another owner's label, or another account's, is not found.
		_, err = tx.FindLabel(ctx, f.A.ID, f.U2.ID, red.ID)
		wantCode(t, err, casebook.ENOTFOUND)
		_, err = tx.FindLabel(ctx, f.B.ID, f.U1.ID, red.ID)
		wantCode(t, err, casebook.ENOTFOUND)

		labels, total, err := tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, Limit: 10})
		if err != nil || total != 2 || len(labels) != 2 || labels[0].ID != red.ID || labels[1].ID != blue.ID {
			t.Fatalf("FindLabels = %v %d %v", labels, total, err)
		}
		labels, total, err = tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, Name: "LU", Limit: 10})
		if err != nil || total != 1 || labels[0].ID != blue.ID {
			t.Fatalf("FindLabels by name (case-insensitive substring) = %v %d %v", labels, total, err)
		}
		labels, total, err = tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, ID: blue.ID, Limit: 10})
		if err != nil || total != 1 || labels[0].ID != blue.ID {
			t.Fatalf("FindLabels by id = %v %d %v", labels, total, err)
		}
		labels, total, err = tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, Offset: 1, Limit: 1})
		if err != nil || total != 2 || len(labels) != 1 || labels[0].ID != blue.ID {
			t.Fatalf("FindLabels page = %v %d %v", labels, total, err)
		}
		return nil
	})

	// Links to tickets: kept once, per owner, removed with the label.
	c1, c2 := newCase(f.U1, time.Minute, "one"), newCase(f.U1, 2*time.Minute, "two")
	createCases(t, s, c1, c2)
	write(t, s, func(tx casebook.Tx) error {
		for _, l := range []struct {
			c  *casebook.Case
			id int64
			d  time.Duration
		}{{c1, blue.ID, 1}, {c1, red.ID, 2}, {c1, red.ID, 3}, {c2, red.ID, 4}, {c1, other.ID, 5}} {
			if err := tx.AddCaseLabel(ctx, l.c, l.id, at(l.d*time.Second)); err != nil {
				return err
			}
		}
		return nil
	})
	caseLabels := func(owner *casebook.User) string {
		var out string
		read(t, s, func(tx casebook.Tx) error {
			byCase, err := tx.FindCaseLabels(ctx, owner.ID, []string{c1.ID, c2.ID})
			for _, c := range []*casebook.Case{c1, c2} {
				for _, l := range byCase[c.ID] {
					out += fmt.Sprintf("%s:%s ", c.SimpleDescription, l.Name)
				}
			}
			return err
		})
		return out
	}
	if got := caseLabels(f.U1); got != "one:blue one:red two:red " {
		t.Errorf("U1's case labels = %q", got)
	}
	if got := caseLabels(f.U2); got != "one:red " {
		t.Errorf("U2's case labels = %q", got)
	}

	// FindCases and EachCase filter by labels: any of them.
	read(t, s, func(tx casebook.Tx) error {
		for _, tc := range []struct {
			ids  []int64
			want int
		}{{[]int64{red.ID}, 2}, {[]int64{blue.ID}, 1}, {[]int64{blue.ID, red.ID}, 2}, {[]int64{999999}, 0}} {
			cases, total, err := tx.FindCases(ctx, casebook.CaseFilter{Scope: f.master(), LabelIDs: tc.ids, Limit: 10})
			if err != nil || total != tc.want || len(cases) != tc.want {
				t.Errorf("FindCases labels %v = %d (%v), want %d", tc.ids, total, err, tc.want)
			}
			n := 0
			if err := tx.EachCase(ctx, casebook.CaseFilter{Scope: f.master(), LabelIDs: tc.ids}, func(*casebook.Case) error { n++; return nil }); err != nil || n != tc.want {
				t.Errorf("EachCase labels %v = %d (%v), want %d", tc.ids, n, err, tc.want)
			}
		}
		return nil
	})

	t.Run("Update", func(t *testing.T) {
		u := *blue
		u.Name, u.Color = "navy", "#000080"
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateLabel(ctx, &u) })
		clash := u
		clash.Name = "red"
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.UpdateLabel(ctx, &clash) }), casebook.ECONFLICT)
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindLabel(ctx, f.A.ID, f.U1.ID, blue.ID)
			if err != nil || got.Name != "navy" || got.Color != "#000080" {
				t.Errorf("after update = %+v %v", got, err)
			}
			return nil
		})
		foreign := u
		foreign.OwnerID = f.U2.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.UpdateLabel(ctx, &foreign) }), casebook.ENOTFOUND)
	})

	t.Run("Remove", func(t *testing.T) {
		write(t, s, func(tx casebook.Tx) error { return tx.RemoveCaseLabel(ctx, c2.ID, red.ID) })
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.RemoveCaseLabel(ctx, c2.ID, red.ID) }), casebook.ENOTFOUND)
		// Deleting a label takes it off its tickets; another owner cannot.
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteLabel(ctx, f.A.ID, f.U2.ID, red.ID) }), casebook.ENOTFOUND)
		write(t, s, func(tx casebook.Tx) error { return tx.DeleteLabel(ctx, f.A.ID, f.U1.ID, red.ID) })
		if got := caseLabels(f.U1); got != "one:navy " {
			t.Errorf("after deleting red: %q", got)
		}
		if got := caseLabels(f.U2); got != "one:red " {
			t.Errorf("U2's label went too: %q", got)
		}
	})
}

// testCaseCursor: CaseFilter.Before continues a list after a ticket, ties
// on the creation time broken by id as the list orders them.
func testCaseCursor(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var cases []*casebook.Case
	for i := 0; i < 6; i++ {
		cases = append(cases, newCase(f.U1, time.Duration(i/3)*time.Minute, fmt.Sprintf("t%d", i)))
	}
	createCases(t, s, cases...)
	var order []*casebook.Case
	read(t, s, func(tx casebook.Tx) error {
		return tx.EachCase(ctx, casebook.CaseFilter{Scope: f.master()}, func(c *casebook.Case) error {
			order = append(order, c)
			return nil
		})
	})
	if len(order) != 6 {
		t.Fatalf("%d tickets", len(order))
	}
	for i, c := range order[:5] {
		var got []string
		read(t, s, func(tx casebook.Tx) error {
			cur := &casebook.CaseCursor{CreatedAt: c.CreatedAt, ID: c.ID}
			return tx.EachCase(ctx, casebook.CaseFilter{Scope: f.master(), Before: cur, Limit: 10}, func(c *casebook.Case) error {
				got = append(got, c.ID)
				return nil
			})
		})
		var want []string
		for _, w := range order[i+1:] {
			want = append(want, w.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after %d: %v, want %v", i, got, want)
		}
	}
}

func testCaseInfo(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, time.Minute, "contact")
	done := newCase(f.U1, 2*time.Minute, "done")
	done.Status = casebook.CaseStatusCompleted
	gone := newCase(f.U1, 3*time.Minute, "deleted")
	gone.Status = casebook.CaseStatusDeleted
	theirs := newCase(f.U2, 4*time.Minute, "U2's")
	createCases(t, s, c, done, gone, theirs)

	u := *c
	u.AreaCode, u.RemindMobile, u.RemindMail, u.RemindTime = "86", "138", "a@b.c", "0"
	u.ExtendsMap = map[string]string{"k": "v"}
	u.UpdatedAt = at(time.Hour)
	u.SimpleDescription = "not saved"
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateCaseInfo(ctx, &u) })
	u.SimpleDescription = c.SimpleDescription
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindCaseByID(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(got, &u) {
			t.Errorf("after UpdateCaseInfo =\n%+v\nwant\n%+v (%v)", got, &u, err)
		}
		return nil
	})

	read(t, s, func(tx casebook.Tx) error {
		counts, err := tx.CountCasesByStatus(ctx, f.sub(f.U1))
		if err != nil || fmt.Sprint(counts) != fmt.Sprint(map[int]int{c.Status: 1, casebook.CaseStatusCompleted: 1}) {
			t.Errorf("U1's counts = %v %v", counts, err)
		}
		counts, err = tx.CountCasesByStatus(ctx, f.master())
		if err != nil || counts[c.Status] != 2 || counts[casebook.CaseStatusDeleted] != 0 {
			t.Errorf("master's counts = %v %v", counts, err)
		}
		// EachCase: newest first, offset and limit, deleted ones left out.
		var got []string
		err = tx.EachCase(ctx, casebook.CaseFilter{Scope: f.master(), Offset: 1, Limit: 2}, func(c *casebook.Case) error {
			got = append(got, c.SimpleDescription)
			return nil
		})
		if err != nil || fmt.Sprint(got) != "[done contact]" {
			t.Errorf("EachCase = %v %v", got, err)
		}
		stop := fmt.Errorf("stop")
		n := 0
		err = tx.EachCase(ctx, casebook.CaseFilter{Scope: f.master()}, func(*casebook.Case) error { n++; return stop })
		if err != stop || n != 1 {
			t.Errorf("EachCase did not stop at the callback's error: %v after %d", err, n)
		}
		return nil
	})
}

// testConcurrentLabels: writers that take LockLabelOwner before counting
// cannot together pass a per-owner cap (the Service's 30 labels per user).
func testConcurrentLabels(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const writers, limit = 12, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Go(func() {
			errs <- s.Write(ctx, func(tx casebook.Tx) error {
				if err := tx.LockLabelOwner(ctx, f.U1.ID); err != nil {
					return err
				}
				_, total, err := tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, Limit: 1})
				if err != nil || total >= limit {
					return err
				}
				time.Sleep(2 * time.Millisecond) // widen the window a missing lock would leave
				return tx.CreateLabel(ctx, newLabel(f.U1, fmt.Sprintf("label %d", i), "#FFFFFF"))
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	read(t, s, func(tx casebook.Tx) error {
		_, total, err := tx.FindLabels(ctx, casebook.LabelFilter{AccountID: f.A.ID, OwnerID: f.U1.ID, Limit: 1})
		if err != nil || total != limit {
			t.Fatalf("%d labels (%v), want exactly %d", total, err, limit)
		}
		return nil
	})
}
