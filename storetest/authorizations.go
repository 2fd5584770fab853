package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// newAuthorization returns a pending request of the engineer on the ticket
// at t0+d, with a console and a host detail.
func newAuthorization(c *casebook.Case, eng *casebook.Engineer, d time.Duration) *casebook.Authorization {
	return &casebook.Authorization{
		ID:                  casebook.NewAuthorizationID(time.Now()),
		AccountID:           c.AccountID,
		CaseID:              c.ID,
		Status:              casebook.AuthStatusPending,
		ResourceTypeID:      "rt-1",
		VisitTypeID:         "vt-2",
		ContentTypeID:       "ct-3",
		Describe:            "need to look at the disks",
		ContentOfAuthLetter: "I, the engineer, ...",
		EngineerID:          eng.ID,
		EngineerName:        eng.Name,
		CreatedAt:           at(d),
		UpdatedAt:           at(d),
		Details: []casebook.AuthDetail{
			{Type: casebook.AuthDetailConsole, InstanceID: "console", InstanceName: "Console", RegionID: "cn-south-1"},
			{Type: casebook.AuthDetailHost, InstanceID: "i-123", InstanceName: "ecs-1", RegionID: "cn-south-1", Port: 22, Account: "root"},
		},
	}
}

func createAuthorizations(t *testing.T, s casebook.Store, as ...*casebook.Authorization) {
	t.Helper()
	write(t, s, func(tx casebook.Tx) error {
		for _, a := range as {
			if err := tx.CreateAuthorization(context.Background(), a); err != nil {
				return err
			}
		}
		return nil
	})
}

// withCase returns a copy of a with the fields read from its ticket set.
func withCase(a *casebook.Authorization, c *casebook.Case) *casebook.Authorization {
	x := *a
	x.Details = slices.Clone(a.Details)
	x.CaseDescription, x.CaseCreatorID, x.CaseCreatorName = c.SimpleDescription, c.CreatorID, c.CreatorName
	return &x
}

func testAuthorizations(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c1 := newCase(f.U1, 0, "u1's ticket")
	c2 := newCase(f.U2, 0, "u2's ticket")
	createCases(t, s, c1, c2)
	a := newAuthorization(c1, f.Eng, time.Minute)
	b := newAuthorization(c2, f.Eng, 2*time.Minute)
	createAuthorizations(t, s, a, b)
	for i, d := range a.Details {
		if d.ID == 0 || d.AuthorizationID != a.ID {
			t.Fatalf("detail %d after create: %+v; want ID and AuthorizationID set", i, d)
		}
	}
	if a.Details[0].ID == a.Details[1].ID || a.Details[0].ID == b.Details[0].ID {
		t.Fatalf("detail ids are not unique: %d %d %d", a.Details[0].ID, a.Details[1].ID, b.Details[0].ID)
	}
	wantA := withCase(a, c1)

	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindAuthorization(ctx, f.sub(f.U1), a.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, wantA) {
			t.Fatalf("FindAuthorization =\n%+v\nwant\n%+v", got, wantA)
		}
		got, err = tx.FindAuthorizationByID(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, withCase(b, c2)) {
			t.Fatalf("FindAuthorizationByID =\n%+v\nwant\n%+v", got, withCase(b, c2))
		}
		_, err = tx.FindAuthorizationByID(ctx, casebook.NewAuthorizationID(time.Now()))
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})

	t.Run("Scope", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			scope casebook.Scope
			sees  bool
		}{
			{"creator", f.sub(f.U1), true},
			{"master", f.master(), true},
			{"group member", f.group(f.U2, f.G), true},
			{"other sub-user", f.sub(f.U2), false},
			{"group the user is not in", f.group(f.U3, f.G), false},
			{"other account", casebook.Scope{AccountID: f.B.ID, All: true, UserID: f.BMaster.ID}, false},
			{"other account naming A's user", casebook.Scope{AccountID: f.B.ID, UserID: f.U1.ID}, false},
		} {
			for _, run := range []func(context.Context, func(casebook.Tx) error) error{s.Read, s.ReadOne} {
				err := run(ctx, func(tx casebook.Tx) error {
					_, err := tx.FindAuthorization(ctx, tc.scope, a.ID)
					if tc.sees && err != nil {
						t.Errorf("%s: %v, want the authorization", tc.name, err)
					} else if !tc.sees {
						wantCode(t, err, casebook.ENOTFOUND)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	})

	t.Run("ReadOne", func(t *testing.T) {
		var got *casebook.Authorization
		err := s.ReadOne(ctx, func(tx casebook.Tx) (err error) {
			got, err = tx.FindAuthorization(ctx, f.sub(f.U1), a.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, wantA) {
			t.Fatalf("FindAuthorization in ReadOne =\n%+v\nwant\n%+v", got, wantA)
		}
		// Outside a transaction a write would commit: it is refused.
		err = s.ReadOne(ctx, func(tx casebook.Tx) error {
			return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: "in-read-one", CreatedAt: at(0)})
		})
		if err == nil {
			t.Fatal("CreateAccount inside ReadOne succeeded")
		}
		// A second statement would read another snapshot: it panics.
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a second statement in ReadOne did not panic")
				}
			}()
			s.ReadOne(ctx, func(tx casebook.Tx) error {
				tx.FindAuthorization(ctx, f.sub(f.U1), a.ID)
				tx.FindAuthorization(ctx, f.sub(f.U1), b.ID)
				return nil
			})
		}()
	})

	t.Run("ListDetails", func(t *testing.T) {
		// Details in id order when asked for, none otherwise.
		for _, with := range []bool{true, false} {
			read(t, s, func(tx casebook.Tx) error {
				list, _, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: f.master(), Now: t0,
					CaseID: c1.ID, WithDetails: with})
				if err != nil {
					t.Fatal(err)
				}
				want := withCase(a, c1)
				if !with {
					want.Details = nil
				}
				if len(list) != 1 || !reflect.DeepEqual(list[0], want) {
					t.Fatalf("FindAuthorizations (WithDetails %v) = %+v\nwant [%+v]", with, list, want)
				}
				return nil
			})
		}
	})

	t.Run("Conflicts", func(t *testing.T) {
		dup := newAuthorization(c1, f.Eng, 0)
		dup.ID = a.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAuthorization(ctx, dup) }), casebook.ECONFLICT)
		// The ticket must be of the account.
		foreign := newAuthorization(c1, f.Eng, 0)
		foreign.AccountID = f.B.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.CreateAuthorization(ctx, foreign) }), casebook.ENOTFOUND)
	})

	t.Run("Update", func(t *testing.T) {
		u := withCase(a, c1)
		u.Status = casebook.AuthStatusAuthorized
		u.HandlerID, u.HandlerName = f.U1.ID, "u1"
		u.AgencyID, u.AgencyName = "agency-1", "support agency"
		u.RejectReason = "-"
		u.EffectiveAt, u.ExpireAt = ptr(at(time.Hour)), ptr(at(2*time.Hour))
		u.UpdatedAt = at(30 * time.Minute)
		u.Details[1].Port, u.Details[1].Account, u.Details[1].HasCredential = 2222, "admin", true
		u.Describe = "not saved"
		// Only from the status it is stored in: pending, not authorized.
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
			return tx.UpdateAuthorization(ctx, u, casebook.AuthStatusAuthorized)
		}), casebook.ENOTFOUND)
		read(t, s, func(tx casebook.Tx) error {
			if got, err := tx.FindAuthorization(ctx, f.master(), a.ID); err != nil || got.Status != a.Status || got.HandlerID != a.HandlerID {
				t.Fatalf("after an UpdateAuthorization from the wrong status: %+v, %v; want it unchanged", got, err)
			}
			return nil
		})
		write(t, s, func(tx casebook.Tx) error {
			if err := tx.UpdateAuthorization(ctx, u, a.Status); err != nil {
				return err
			}
			return tx.UpdateAuthDetail(ctx, u.Details[1])
		})
		u.Describe = a.Describe
		u.Details[1].HasCredential = false // read from the credentials only
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAuthorization(ctx, f.master(), a.ID)
			if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(got, u) {
				t.Fatalf("after UpdateAuthorization:\n%+v\nwant\n%+v", got, u)
			}
			return nil
		})
		wrongAccount := *u
		wrongAccount.AccountID = f.B.ID
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
			return tx.UpdateAuthorization(ctx, &wrongAccount, u.Status)
		}), casebook.ENOTFOUND)
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
			return tx.UpdateAuthDetail(ctx, casebook.AuthDetail{ID: u.Details[1].ID, AuthorizationID: casebook.NewAuthorizationID(time.Now()), Port: 1})
		}), casebook.ENOTFOUND)
	})

	t.Run("OpenOfCase", func(t *testing.T) {
		rejected := newAuthorization(c1, f.Eng, 3*time.Minute)
		rejected.Status = casebook.AuthStatusRejected
		pending := newAuthorization(c1, f.Eng, 4*time.Minute)
		createAuthorizations(t, s, rejected, pending)
		read(t, s, func(tx casebook.Tx) error {
			open, err := tx.FindOpenAuthorizationsOfCase(ctx, f.A.ID, c1.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, x := range open {
				ids = append(ids, x.ID)
			}
			if want := []string{a.ID, pending.ID}; !slices.Equal(ids, want) {
				t.Fatalf("FindOpenAuthorizationsOfCase = %v, want %v", ids, want)
			}
			if len(open[0].Details) != 2 {
				t.Fatalf("details not filled: %+v", open[0])
			}
			open, err = tx.FindOpenAuthorizationsOfCase(ctx, f.B.ID, c1.ID)
			if err != nil || len(open) != 0 {
				t.Fatalf("FindOpenAuthorizationsOfCase(B) = %v, %v", open, err)
			}
			return nil
		})
	})

	t.Run("Due", func(t *testing.T) {
		// a is authorized until t0+2h.
		read(t, s, func(tx casebook.Tx) error {
			for _, x := range []struct {
				now  time.Time
				want int
			}{{at(2*time.Hour - time.Millisecond), 0}, {at(2 * time.Hour), 1}, {at(3 * time.Hour), 1}} {
				due, err := tx.FindDueAuthorizations(ctx, x.now, 10)
				if err != nil {
					t.Fatal(err)
				} else if len(due) != x.want || (x.want == 1 && due[0].ID != a.ID) {
					t.Fatalf("FindDueAuthorizations(%v) = %d rows, want %d", x.now, len(due), x.want)
				}
			}
			return nil
		})
	})

	t.Run("DeletedTicket", func(t *testing.T) {
		d := *c2
		d.Status = casebook.CaseStatusDeleted
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateCase(ctx, &d) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindAuthorization(ctx, f.master(), b.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			list, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: f.master(), Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				if x.ID == b.ID {
					t.Fatalf("FindAuthorizations lists an authorization of a deleted ticket (total %d)", total)
				}
			}
			if _, err := tx.FindAuthorizationByID(ctx, b.ID); err != nil {
				t.Fatalf("FindAuthorizationByID of a deleted ticket's authorization: %v", err)
			}
			return nil
		})
	})
}

func testFindAuthorizations(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	eng2 := &casebook.Engineer{ID: casebook.NewHexID(), Name: uniq("eng"), Enabled: true, CreatedAt: at(0)}
	write(t, s, func(tx casebook.Tx) error { return tx.CreateEngineer(ctx, eng2) })
	c1 := newCase(f.U1, 0, "Alpha DISK trouble")
	c2 := newCase(f.U2, 0, "beta network 100%")
	c3 := newCase(f.U3, 0, "gamma 1000 things")
	cb := newCase(f.BU, 0, "alpha disk of B")
	createCases(t, s, c1, c2, c3, cb)
	tickets := []*casebook.Case{c1, c2, c3}
	now := at(10 * time.Hour)

	var all []*casebook.Authorization // of account A, oldest first
	for i := range 30 {
		c := tickets[i%3]
		eng := f.Eng
		if i%2 == 1 {
			eng = eng2
		}
		a := newAuthorization(c, eng, time.Duration(i)*time.Minute)
		switch i % 5 {
		case 1: // in force until after now
			a.Status, a.EffectiveAt, a.ExpireAt = casebook.AuthStatusAuthorized, ptr(at(0)), ptr(at(20*time.Hour))
		case 2: // window ended before now, not yet swept
			a.Status, a.EffectiveAt, a.ExpireAt = casebook.AuthStatusAuthorized, ptr(at(0)), ptr(at(5*time.Hour))
		case 3:
			a.Status = casebook.AuthStatusExpired
		case 4:
			a.Status = casebook.AuthStatusRejected
		}
		if i == 7 { // ends exactly now: expired at that instant
			a.ExpireAt = ptr(now)
		}
		all = append(all, withCase(a, c))
	}
	ofB := newAuthorization(cb, f.Eng, time.Hour)
	createAuthorizations(t, s, append(slices.Clone(all), ofB)...)
	// The store sets detail ids on the copies it was given; keep ours in step.
	newest := slices.Clone(all)
	slices.Reverse(newest)

	// expect filters the authorizations of A, newest first.
	expect := func(keep func(i int, a *casebook.Authorization) bool) []string {
		var ids []string
		for i := len(all) - 1; i >= 0; i-- {
			if keep(i, all[i]) {
				ids = append(ids, all[i].ID)
			}
		}
		return ids
	}
	status := func(n int) *int { return &n }
	for _, tc := range []struct {
		name   string
		filter casebook.AuthorizationFilter
		want   []string
	}{
		{"Master", casebook.AuthorizationFilter{Scope: f.master()}, expect(func(int, *casebook.Authorization) bool { return true })},
		{"SubUser", casebook.AuthorizationFilter{Scope: f.sub(f.U1)}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 0 })},
		{"Group", casebook.AuthorizationFilter{Scope: f.group(f.U1, f.G)}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 != 2 })},
		{"GroupNotMember", casebook.AuthorizationFilter{Scope: f.group(f.U3, f.G)}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 2 })},
		{"OtherAccount", casebook.AuthorizationFilter{Scope: casebook.Scope{AccountID: f.B.ID, All: true}}, []string{ofB.ID}},
		{"Pending", casebook.AuthorizationFilter{Scope: f.master(), Status: status(0)}, expect(func(_ int, a *casebook.Authorization) bool { return a.Status == 0 })},
		{"AuthorizedAtNow", casebook.AuthorizationFilter{Scope: f.master(), Status: status(1)}, expect(func(_ int, a *casebook.Authorization) bool { return a.StatusAt(now) == 1 })},
		{"ExpiredAtNow", casebook.AuthorizationFilter{Scope: f.master(), Status: status(3)}, expect(func(_ int, a *casebook.Authorization) bool { return a.StatusAt(now) == 3 })},
		{"AuthorizedEarlier", casebook.AuthorizationFilter{Scope: f.master(), Status: status(1), Now: at(time.Hour)}, expect(func(i int, a *casebook.Authorization) bool { return a.Status == 1 })},
		{"Rejected", casebook.AuthorizationFilter{Scope: f.master(), Status: status(2)}, expect(func(i int, _ *casebook.Authorization) bool { return i%5 == 4 })},
		{"CreatorName", casebook.AuthorizationFilter{Scope: f.master(), CreatorName: "u2"}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 1 })},
		{"CreatorNameOutOfScope", casebook.AuthorizationFilter{Scope: f.sub(f.U1), CreatorName: "u2"}, nil},
		{"DescriptionSearch", casebook.AuthorizationFilter{Scope: f.master(), DescriptionSearch: "alpha disk"}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 0 })},
		{"DescriptionWildcard", casebook.AuthorizationFilter{Scope: f.master(), DescriptionSearch: "100%"}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 1 })},
		{"CaseID", casebook.AuthorizationFilter{Scope: f.master(), CaseID: c3.ID}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 2 })},
		{"CaseIDOfOtherAccount", casebook.AuthorizationFilter{Scope: f.master(), CaseID: cb.ID}, nil},
		{"Combined", casebook.AuthorizationFilter{Scope: f.group(f.U2, f.G), Status: status(3), DescriptionSearch: "beta"}, expect(func(i int, a *casebook.Authorization) bool { return i%3 == 1 && a.StatusAt(now) == 3 })},
		{"Engineer", casebook.AuthorizationFilter{AllAccounts: true, EngineerID: eng2.ID}, expect(func(i int, _ *casebook.Authorization) bool { return i%2 == 1 })},
		{"AllAccounts", casebook.AuthorizationFilter{AllAccounts: true, DescriptionSearch: "alpha"}, append([]string{ofB.ID}, expect(func(i int, _ *casebook.Authorization) bool { return i%3 == 0 })...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filter.Now.IsZero() {
				tc.filter.Now = now
			}
			if len(tc.want) == 0 && tc.name != "CreatorNameOutOfScope" && tc.name != "CaseIDOfOtherAccount" {
				t.Fatal("the fixture selects nothing: the test would prove nothing")
			}
			read(t, s, func(tx casebook.Tx) error {
				list, total, err := tx.FindAuthorizations(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, a := range list {
					ids = append(ids, a.ID)
				}
				if !slices.Equal(ids, tc.want) || total != len(tc.want) {
					t.Fatalf("ids = %v (total %d)\nwant %v (total %d)", ids, total, tc.want, len(tc.want))
				}
				return nil
			})
		})
	}

	t.Run("Paging", func(t *testing.T) {
		read(t, s, func(tx casebook.Tx) error {
			for _, p := range []struct{ offset, limit int }{{0, 10}, {10, 10}, {25, 10}, {30, 10}, {65535, 100}} {
				list, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: f.master(), Now: now, Offset: p.offset, Limit: p.limit,
					WithDetails: true})
				if err != nil {
					t.Fatal(err)
				}
				var want []*casebook.Authorization
				if p.offset < len(newest) {
					want = newest[p.offset:min(p.offset+p.limit, len(newest))]
				}
				if total != 30 || len(list) != len(want) {
					t.Fatalf("offset %d: %d rows (total %d), want %d (total 30)", p.offset, len(list), total, len(want))
				}
				for i := range want {
					// Whole rows, with details and ticket fields.
					if !reflect.DeepEqual(list[i], want[i]) {
						t.Fatalf("offset %d row %d =\n%+v\nwant\n%+v", p.offset, i, list[i], want[i])
					}
				}
			}
			return nil
		})
	})
}

// testAuthorizationItems: every item reads back as written, in id order,
// whatever its strings hold (the items come back as JSON from the engine:
// quotes, backslashes, control characters, non-ASCII and characters
// outside the Basic Multilingual Plane take its escapes), with a
// credential flag of either value, and an authorization without items
// reads back without any.
func testAuthorizationItems(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := newCase(f.U1, 0, "items")
	createCases(t, s, c)
	a := newAuthorization(c, f.Eng, time.Minute)
	a.Details = []casebook.AuthDetail{
		{Type: casebook.AuthDetailHost, InstanceID: `i-"quoted"\back\slash`, InstanceName: "tab\tnew\nline\x01\x1f",
			RegionID: "é – 中文 😀", Port: 65535, Account: "</script>&\u2028\u2029"},
		{Type: casebook.AuthDetailConsole, InstanceID: "", InstanceName: "", RegionID: "", Port: 0, Account: ""},
		{Type: casebook.AuthDetailHost, InstanceID: strings.Repeat("x", 200), InstanceName: "[1,2]", RegionID: "{}",
			Port: 1, Account: `\u0041`},
	}
	empty := newAuthorization(c, f.Eng, 2*time.Minute)
	empty.Details = nil
	createAuthorizations(t, s, a, empty)
	// The first item holds a credential: its flag reads true, the others'
	// false.
	write(t, s, func(tx casebook.Tx) error {
		return tx.SetCredentials(ctx, a.ID, []casebook.Credential{{DetailID: a.Details[0].ID, Sealed: []byte("x")}})
	})
	a.Details[0].HasCredential = true
	for _, want := range []*casebook.Authorization{withCase(a, c), withCase(empty, c)} {
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAuthorization(ctx, f.sub(f.U1), want.ID)
			if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("FindAuthorization(%s) =\n%+v\nwant\n%+v", want.ID, got, want)
			}
			return nil
		})
	}
}
