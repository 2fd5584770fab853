package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

var errRollback = errors.New("roll back")

// newAccessory returns an unattached upload of the user at t0+d.
func newAccessory(u *casebook.User, d time.Duration, name string) *casebook.Accessory {
	id := casebook.NewAccessoryID()
	return &casebook.Accessory{ID: id, AccountID: u.AccountID, UploaderID: u.ID, FileName: name,
		ContentType: "application/octet-stream", Size: 1000 + int64(d/time.Second), SHA256: "e3b0c44298fc1c149afbf4c8996fb924",
		BlobKey: "accessories/" + id, From: "incident", UploadType: 0, CreatedAt: at(d)}
}

func testAccessories(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c1 := newCase(f.U1, 0, "u1's ticket")
	c2 := newCase(f.U2, 0, "u2's ticket")
	c3 := newCase(f.U3, 0, "u3's ticket")
	createCases(t, s, c1, c2, c3)
	loose1 := newAccessory(f.U1, time.Second, "loose1.log") // unattached, u1
	loose2 := newAccessory(f.U2, 2*time.Second, "loose2.log")
	on1 := newAccessory(f.U1, 3*time.Second, "on1.png") // attached to c1
	on2 := newAccessory(f.U2, 4*time.Second, "on2.png") // attached to c2
	on3 := newAccessory(f.U3, 5*time.Second, "on3.png") // attached to c3
	ofB := newAccessory(f.BU, 6*time.Second, "b.png")
	write(t, s, func(tx casebook.Tx) error {
		for _, a := range []*casebook.Accessory{loose1, loose2, on1, on2, on3, ofB} {
			if err := tx.CreateAccessory(ctx, a); err != nil {
				return err
			}
		}
		for _, x := range []struct {
			a *casebook.Accessory
			c *casebook.Case
		}{{on1, c1}, {on2, c2}, {on3, c3}} {
			if err := tx.AttachAccessories(ctx, f.A.ID, []string{x.a.ID}, x.c.ID, ""); err != nil {
				return err
			}
			x.a.CaseID = x.c.ID
		}
		return nil
	})

	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindAccessoryByID(ctx, on1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, on1) {
			t.Fatalf("FindAccessoryByID =\n%+v\nwant\n%+v", got, on1)
		}
		_, err = tx.FindAccessoryByID(ctx, casebook.NewAccessoryID())
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})

	everything := []string{ofB.ID, on3.ID, on2.ID, on1.ID, loose2.ID, loose1.ID, casebook.NewAccessoryID()}
	for _, tc := range []struct {
		name  string
		scope casebook.Scope
		want  []*casebook.Accessory // in the order of everything
	}{
		{"master", f.master(), []*casebook.Accessory{on3, on2, on1, loose2, loose1}},
		{"sub-user", f.sub(f.U1), []*casebook.Accessory{on1, loose1}},
		{"group", f.group(f.U1, f.G), []*casebook.Accessory{on2, on1, loose1}},
		{"group the user is not in", f.group(f.U1, f.G3), []*casebook.Accessory{on1, loose1}},
		{"other account", casebook.Scope{AccountID: f.B.ID, All: true, UserID: f.BMaster.ID}, []*casebook.Accessory{ofB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read(t, s, func(tx casebook.Tx) error {
				got, err := tx.FindAccessories(ctx, tc.scope, everything)
				if err != nil {
					t.Fatal(err)
				} else if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("FindAccessories = %v, want %v", accessoryNames(got), accessoryNames(tc.want))
				}
				return nil
			})
		})
	}

	t.Run("DeletedTicket", func(t *testing.T) {
		d := *c3
		d.Status = casebook.CaseStatusDeleted
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &d) })
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAccessories(ctx, f.master(), []string{on3.ID})
			if err != nil || len(got) != 0 {
				t.Fatalf("attachment of a deleted ticket = %v, %v; want none", accessoryNames(got), err)
			}
			return nil
		})
	})

	t.Run("Attach", func(t *testing.T) {
		// An id of another account fails the whole call.
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
			return tx.AttachAccessories(ctx, f.A.ID, []string{loose1.ID, ofB.ID}, c1.ID, "")
		}), casebook.ENOTFOUND)
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAccessoryByID(ctx, loose1.ID)
			if err != nil || got.CaseID != "" {
				t.Fatalf("failed attach left %+v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("Delete", func(t *testing.T) {
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteAccessory(ctx, f.B.ID, loose2.ID) }), casebook.ENOTFOUND)
		write(t, s, func(tx casebook.Tx) error { return tx.DeleteAccessory(ctx, f.A.ID, loose2.ID) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindAccessoryByID(ctx, loose2.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			return nil
		})
	})

	t.Run("SumUploadSize", func(t *testing.T) {
		read(t, s, func(tx casebook.Tx) error {
			for _, x := range []struct {
				since time.Time
				want  int64
			}{{at(0), loose1.Size + on1.Size}, {at(2 * time.Second), on1.Size}, {at(time.Hour), 0}} {
				n, err := tx.SumUploadSize(ctx, f.U1.ID, x.since)
				if err != nil {
					t.Fatal(err)
				} else if n != x.want {
					t.Fatalf("SumUploadSize(since %v) = %d, want %d", x.since, n, x.want)
				}
			}
			return nil
		})
	})
}

// testUploadLog checks that the daily quota counts uploads, not stored
// attachments: deleting one does not give its bytes back.
func testUploadLog(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	sum := func(u *casebook.User) int64 {
		t.Helper()
		var n int64
		read(t, s, func(tx casebook.Tx) error {
			var err error
			n, err = tx.SumUploadSize(ctx, u.ID, at(0))
			return err
		})
		return n
	}
	first := newAccessory(f.U1, time.Second, "first.log")
	second := newAccessory(f.U1, 2*time.Second, "second.log")
	other := newAccessory(f.U2, 3*time.Second, "other.log")
	write(t, s, func(tx casebook.Tx) error {
		for _, a := range []*casebook.Accessory{first, second, other} {
			if err := tx.CreateAccessory(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	want := first.Size + second.Size
	if n := sum(f.U1); n != want {
		t.Fatalf("SumUploadSize = %d, want %d", n, want)
	}

	write(t, s, func(tx casebook.Tx) error { return tx.DeleteAccessory(ctx, f.A.ID, first.ID) })
	read(t, s, func(tx casebook.Tx) error {
		_, err := tx.FindAccessoryByID(ctx, first.ID)
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
	if n := sum(f.U1); n != want {
		t.Fatalf("SumUploadSize after deleting an attachment = %d, want still %d", n, want)
	}
	if n := sum(f.U2); n != other.Size {
		t.Fatalf("SumUploadSize of another uploader = %d, want %d", n, other.Size)
	}

	// A rolled-back upload is not logged.
	rolledBack := newAccessory(f.U1, 4*time.Second, "rolled-back.log")
	err := s.Write(ctx, func(tx casebook.Tx) error {
		if err := tx.CreateAccessory(ctx, rolledBack); err != nil {
			return err
		}
		return errRollback
	})
	if err != errRollback {
		t.Fatalf("Write = %v, want the function's error", err)
	}
	if n := sum(f.U1); n != want {
		t.Fatalf("SumUploadSize after a rolled-back upload = %d, want %d", n, want)
	}

	// The same id twice is a conflict, in the attachments or the log.
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAccessory(ctx, second) }), casebook.ECONFLICT)
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAccessory(ctx, first) }), casebook.ECONFLICT)

	// Inside Read, LockUploader has nothing to serialise.
	read(t, s, func(tx casebook.Tx) error { return tx.LockUploader(ctx, f.U1.ID) })
}

func accessoryNames(as []*casebook.Accessory) []string {
	var names []string
	for _, a := range as {
		names = append(names, a.FileName)
	}
	return names
}

func testRelations(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "main")
	r1 := newCase(f.U1, time.Second, "first related")
	r2 := newCase(f.U2, 2*time.Second, "second related")
	createCases(t, s, c, r1, r2)
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateRelation(ctx, &casebook.Relation{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r2.ID, CreatedAt: at(time.Minute)}); err != nil {
			return err
		}
		return tx.CreateRelation(ctx, &casebook.Relation{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r1.ID, CreatedAt: at(2 * time.Minute)})
	})
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
		return tx.CreateRelation(ctx, &casebook.Relation{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r1.ID, CreatedAt: at(3 * time.Minute)})
	}), casebook.ECONFLICT)

	want := []*casebook.Relation{
		{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r2.ID, CreatedAt: at(time.Minute), RelatedDescription: "second related", RelatedCreatorName: "u2"},
		{AccountID: f.A.ID, CaseID: c.ID, RelatedID: r1.ID, CreatedAt: at(2 * time.Minute), RelatedDescription: "first related", RelatedCreatorName: "u1"},
	}
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindRelations(ctx, f.A.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("FindRelations = %+v, want %+v", got, want)
		}
		got, err = tx.FindRelations(ctx, f.B.ID, c.ID)
		if err != nil || len(got) != 0 {
			t.Fatalf("FindRelations of another account = %v, %v", got, err)
		}
		return nil
	})
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteRelation(ctx, f.B.ID, c.ID, r1.ID) }), casebook.ENOTFOUND)
	write(t, s, func(tx casebook.Tx) error { return tx.DeleteRelation(ctx, f.A.ID, c.ID, r2.ID) })
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteRelation(ctx, f.A.ID, c.ID, r2.ID) }), casebook.ENOTFOUND)
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindRelations(ctx, f.A.ID, c.ID)
		if err != nil || !slices.EqualFunc(got, want[1:], func(a, b *casebook.Relation) bool { return reflect.DeepEqual(a, b) }) {
			t.Fatalf("after delete: %+v, %v", got, err)
		}
		return nil
	})
}
