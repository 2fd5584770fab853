package sqlstore_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
	"github.com/jackc/pgx/v5"
)

// bulkStore is a store that loads in bulk: the sqlite and postgres
// packages add PrepareBulk and FinishBulk to sqlstore's BulkInsert.
type bulkStore interface {
	casebook.Store
	PrepareBulk(ctx context.Context, cacheMiB int) error
	BulkInsert(context.Context, *sqlstore.Bulk) error
	FinishBulk(context.Context) error
}

// openBulkSQLite opens a new SQLite database in a temporary directory.
func openBulkSQLite(t testing.TB) bulkStore {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestBulkSQLite(t *testing.T) {
	testBulk(t, openBulkSQLite(t))
}

func TestBulkPostgres(t *testing.T) {
	testBulk(t, openBulkPostgres(t))
}

// openBulkPostgres opens the store in a new schema of the test server,
// dropped when the test ends. Without a server it skips, unless
// CASEBOOK_TEST_POSTGRES names one.
func openBulkPostgres(t *testing.T) bulkStore {
	t.Helper()
	ctx := context.Background()
	dsn, set := os.LookupEnv("CASEBOOK_TEST_POSTGRES")
	if !set || dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(cctx, dsn)
	if err != nil {
		if set {
			t.Fatalf("CASEBOOK_TEST_POSTGRES is set but unreachable: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set CASEBOOK_TEST_POSTGRES to run): %v", dsn, err)
	}
	schema := "cb_bulk_" + strings.ToLower(casebook.NewHexID()[:12])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
		admin.Close(ctx)
	})
	// The search_path run-time parameter puts the store in the schema.
	storeDSN := dsn + " search_path=" + schema
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		storeDSN = u.String()
	}
	db, err := postgres.Open(ctx, storeDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// bulkFixture is a small dataset built the way the benchmark seeder builds
// its own: two accounts, each with a master user, two sub-users (the first
// in a group), tickets of every creator (one deleted) and enough
// authorizations to fill more than one multi-row statement.
type bulkFixture struct {
	t0       time.Time
	accounts []*bulkAccount
	engineer *casebook.Engineer
}

type bulkAccount struct {
	account *casebook.Account
	master  *casebook.User
	subs    []*casebook.User
	group   *casebook.Group
	cases   []*casebook.Case
	auths   []sqlstore.BulkAuthorization
}

const (
	bulkCasesPerAccount = 31
	bulkAuthsPerAccount = 640 // more than one statement of 500 rows, and a remainder
)

func newBulkFixture(t *testing.T) *bulkFixture {
	t.Helper()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	hash, err := casebook.HashPassword("bulk password", 1000)
	if err != nil {
		t.Fatal(err)
	}
	f := &bulkFixture{t0: t0, engineer: &casebook.Engineer{ID: casebook.NewHexID(), Name: "bulk-eng-" + casebook.NewHexID()[:8],
		PasswordHash: hash, Enabled: true, CreatedAt: t0}}
	for i := range 2 {
		acc := &casebook.Account{ID: casebook.NewHexID(), Name: fmt.Sprintf("bulk-%d-%s", i, casebook.NewHexID()[:8]), CreatedAt: t0}
		a := &bulkAccount{account: acc}
		a.master = &casebook.User{ID: casebook.NewHexID(), AccountID: acc.ID, Name: "admin", PasswordHash: hash,
			IsMaster: true, Enabled: true, CreatedAt: t0}
		for j := range 2 {
			a.subs = append(a.subs, &casebook.User{ID: casebook.NewHexID(), AccountID: acc.ID, Name: fmt.Sprintf("user%d", j),
				PasswordHash: hash, Enabled: true, CreatedAt: t0})
		}
		a.group = &casebook.Group{ID: casebook.NewHexID(), AccountID: acc.ID, Name: "team", CreatedAt: t0}
		creators := []*casebook.User{a.master, a.subs[0], a.subs[1]}
		for k := range bulkCasesPerAccount {
			at := t0.Add(time.Duration(k) * time.Minute)
			u := creators[k%len(creators)]
			c := &casebook.Case{ID: casebook.NewCaseID(at), AccountID: acc.ID, CreatorID: u.ID, CreatorName: u.Name,
				BusinessTypeID: "2", IncidentSubTypeID: "4", RegionID: "cn-north-4", SeverityID: "3",
				SourceID: casebook.SourceAPI, SimpleDescription: fmt.Sprintf("ticket %d of %s", k, u.Name),
				Status: casebook.CaseStatusProcessing, AssigneeID: f.engineer.ID, AssigneeName: f.engineer.Name,
				CreatedAt: at, UpdatedAt: at}
			switch k {
			case 7:
				c.Status = casebook.CaseStatusDeleted
				c.ConfirmedAt = &at
			case 8:
				c.ExtendsMap = map[string]string{"os": "linux"}
			}
			a.cases = append(a.cases, c)
		}
		for k := range bulkAuthsPerAccount {
			c := a.cases[k%len(a.cases)]
			at := c.CreatedAt.Add(time.Duration(k) * time.Second)
			au := &casebook.Authorization{ID: casebook.NewAuthorizationID(time.Now()), AccountID: acc.ID, CaseID: c.ID,
				Status: k % 6, ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1",
				Describe: fmt.Sprintf("access %d", k), EngineerID: f.engineer.ID, EngineerName: f.engineer.Name,
				CreatedAt: at, UpdatedAt: at, CaseCreatorID: c.CreatorID}
			if au.Status == casebook.AuthStatusAuthorized {
				end := at.Add(time.Hour)
				au.EffectiveAt, au.ExpireAt = &at, &end
				au.AgencyID, au.AgencyName = "agency", "agency"
			}
			for d := range k%3 + 1 {
				au.Details = append(au.Details, casebook.AuthDetail{Type: casebook.AuthDetailHost,
					InstanceID: fmt.Sprintf("i-%d", d), InstanceName: "web", RegionID: "cn-north-4", Port: 22 + d, Account: "root"})
			}
			a.auths = append(a.auths, sqlstore.BulkAuthorization{Authorization: au, CaseDeleted: c.Status == casebook.CaseStatusDeleted})
		}
		f.accounts = append(f.accounts, a)
	}
	return f
}

// batches splits the fixture as the seeder does: identities first, then
// tickets, then authorizations in several transactions.
func (f *bulkFixture) batches() []*sqlstore.Bulk {
	ids := &sqlstore.Bulk{Engineers: []*casebook.Engineer{f.engineer}}
	cases := &sqlstore.Bulk{}
	var auths []sqlstore.BulkAuthorization
	for _, a := range f.accounts {
		ids.Accounts = append(ids.Accounts, a.account)
		ids.Users = append(ids.Users, a.master)
		ids.Users = append(ids.Users, a.subs...)
		ids.Groups = append(ids.Groups, a.group)
		ids.Members = append(ids.Members, sqlstore.BulkMember{AccountID: a.account.ID, GroupID: a.group.ID, UserID: a.subs[0].ID})
		cases.Cases = append(cases.Cases, a.cases...)
		for _, c := range a.cases {
			cases.Messages = append(cases.Messages, &casebook.Message{ID: casebook.NewMessageID(), AccountID: c.AccountID,
				CaseID: c.ID, Type: casebook.MessageFromCustomer, AuthorID: c.CreatorID, AuthorName: c.CreatorName,
				Content: c.SimpleDescription, IsFirst: true, CreatedAt: c.CreatedAt})
		}
		auths = append(auths, a.auths...)
	}
	out := []*sqlstore.Bulk{ids, cases}
	for len(auths) > 0 {
		n := min(len(auths), 700)
		out = append(out, &sqlstore.Bulk{Authorizations: auths[:n]})
		auths = auths[n:]
	}
	return out
}

func testBulk(t *testing.T, db bulkStore) {
	ctx := context.Background()
	f := newBulkFixture(t)
	if err := db.PrepareBulk(ctx, 64); err != nil {
		t.Fatal(err)
	}
	for _, b := range f.batches() {
		if err := db.BulkInsert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishBulk(ctx); err != nil {
		t.Fatal(err)
	}

	read := func(fn func(tx casebook.Tx) error) {
		t.Helper()
		if err := db.Read(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	now := f.t0.Add(24 * time.Hour)
	for _, a := range f.accounts {
		// What each scope should see: authorizations on tickets that are
		// not deleted, created by the users of the scope.
		want := func(creators ...*casebook.User) (n int, newest *sqlstore.BulkAuthorization) {
			for i := range a.auths {
				ba := &a.auths[i]
				if ba.CaseDeleted {
					continue
				}
				for _, u := range creators {
					if ba.CaseCreatorID == u.ID {
						n++
						if newest == nil || ba.CreatedAt.After(newest.CreatedAt) {
							newest = ba
						}
					}
				}
			}
			return n, newest
		}
		for _, tc := range []struct {
			name     string
			scope    casebook.Scope
			creators []*casebook.User
		}{
			{"master", casebook.Scope{AccountID: a.account.ID, All: true, UserID: a.master.ID}, []*casebook.User{a.master, a.subs[0], a.subs[1]}},
			{"sub-user", casebook.Scope{AccountID: a.account.ID, UserID: a.subs[1].ID}, []*casebook.User{a.subs[1]}},
			{"group", casebook.Scope{AccountID: a.account.ID, UserID: a.subs[0].ID, GroupID: a.group.ID}, []*casebook.User{a.subs[0]}},
		} {
			wantTotal, newest := want(tc.creators...)
			read(func(tx casebook.Tx) error {
				page, total, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: tc.scope, Now: now, Limit: 5, WithDetails: true})
				if err != nil {
					t.Fatal(err)
				}
				if total != wantTotal || total == 0 {
					t.Errorf("%s of %s: total %d, want %d", tc.name, a.account.Name, total, wantTotal)
				}
				if len(page) != 5 || page[0].ID != newest.ID {
					t.Fatalf("%s: first page has %d rows starting with %v, want 5 starting with %s", tc.name, len(page), page, newest.ID)
				}
				checkAuthorization(t, page[0], newest.Authorization)
				// The deepest page: the index walk over every row.
				last, _, err := tx.FindAuthorizations(ctx, casebook.AuthorizationFilter{Scope: tc.scope, Now: now, Offset: wantTotal - 1, Limit: 5})
				if err != nil {
					t.Fatal(err)
				} else if len(last) != 1 {
					t.Errorf("%s: the last page has %d rows, want 1", tc.name, len(last))
				}
				return nil
			})
		}

		read(func(tx casebook.Tx) error {
			// Each ticket reads back as written, the deleted one not at all.
			master := casebook.Scope{AccountID: a.account.ID, All: true, UserID: a.master.ID}
			for _, c := range a.cases {
				got, err := tx.FindCase(ctx, master, c.ID)
				if c.Status == casebook.CaseStatusDeleted {
					if casebook.ErrorCode(err) != casebook.ENOTFOUND {
						t.Errorf("FindCase of the deleted ticket: %v, want ENOTFOUND", err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c) {
					t.Errorf("FindCase =\n%+v\nwant\n%+v", got, c)
				}
			}
			msgs, n, err := tx.FindMessages(ctx, casebook.MessageFilter{AccountID: a.account.ID, CaseID: a.cases[0].ID})
			if err != nil {
				t.Fatal(err)
			} else if n != 1 || !msgs[0].IsFirst || msgs[0].Content != a.cases[0].SimpleDescription {
				t.Errorf("messages of a ticket: %d %+v, want the first message", n, msgs)
			}

			u, err := tx.FindUserByName(ctx, a.account.ID, "user0")
			if err != nil {
				t.Fatal(err)
			} else if !casebook.VerifyPassword(u.PasswordHash, "bulk password") || u.IsMaster || !u.Enabled {
				t.Errorf("user0 = %+v", u)
			}
			groups, err := tx.FindGroupIDsOfUser(ctx, a.subs[0].ID)
			if err != nil {
				t.Fatal(err)
			} else if len(groups) != 1 || groups[0] != a.group.ID {
				t.Errorf("groups of user0: %v, want [%s]", groups, a.group.ID)
			}

			// One authorization by id, with its details.
			ba := a.auths[len(a.auths)-1]
			got, err := tx.FindAuthorization(ctx, master, ba.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkAuthorization(t, got, ba.Authorization)
			return nil
		})
	}
	read(func(tx casebook.Tx) error {
		e, err := tx.FindEngineerByName(ctx, f.engineer.Name)
		if err != nil {
			t.Fatal(err)
		} else if e.ID != f.engineer.ID {
			t.Errorf("engineer %+v", e)
		}
		return nil
	})

	// A batch that breaks a constraint leaves nothing behind.
	dup := &sqlstore.Bulk{
		Accounts: []*casebook.Account{{ID: casebook.NewHexID(), Name: "fresh-" + casebook.NewHexID()[:8], CreatedAt: f.t0}},
		Users:    []*casebook.User{f.accounts[0].master},
	}
	if err := db.BulkInsert(ctx, dup); casebook.ErrorCode(err) != casebook.ECONFLICT {
		t.Fatalf("BulkInsert of an existing user: %v, want ECONFLICT", err)
	}
	read(func(tx casebook.Tx) error {
		if _, err := tx.FindAccountByName(ctx, dup.Accounts[0].Name); casebook.ErrorCode(err) != casebook.ENOTFOUND {
			t.Errorf("the account of a failed batch: %v, want ENOTFOUND", err)
		}
		return nil
	})
}

// checkAuthorization compares what the store returns with what was loaded.
func checkAuthorization(t *testing.T, got, want *casebook.Authorization) {
	t.Helper()
	if got.ID != want.ID || got.CaseID != want.CaseID || got.Status != want.Status || got.Describe != want.Describe ||
		got.EngineerID != want.EngineerID || got.CaseCreatorID != want.CaseCreatorID || !got.CreatedAt.Equal(want.CreatedAt) ||
		!reflect.DeepEqual(got.EffectiveAt, want.EffectiveAt) || !reflect.DeepEqual(got.ExpireAt, want.ExpireAt) ||
		got.AgencyID != want.AgencyID {
		t.Errorf("authorization =\n%+v\nwant\n%+v", got, want)
	}
	if len(got.Details) != len(want.Details) {
		t.Fatalf("authorization %s has %d details, want %d", want.ID, len(got.Details), len(want.Details))
	}
	for i, d := range got.Details {
		w := want.Details[i]
		if d.ID == 0 || d.AuthorizationID != want.ID || d.Type != w.Type || d.InstanceID != w.InstanceID ||
			d.Port != w.Port || d.Account != w.Account || d.HasCredential != w.HasCredential {
			t.Errorf("detail %d = %+v, want %+v", i, d, w)
		}
	}
}
