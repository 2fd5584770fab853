// Package storetest is the conformance suite of casebook.Store: every store
// (sqlite, postgres) runs the same tests against a real engine.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// RawSQL is implemented by the stores the test packages hand to Run when
// they can run raw SQL; the suite uses it to check what the schema itself
// guarantees (UPDATE and DELETE on the audit log fail; destroyed
// credentials are gone from their table). Stores without it skip those
// checks.
type RawSQL interface {
	ExecSQL(ctx context.Context, query string) error
	QueryInt(ctx context.Context, query string) (int64, error)
}

// Run runs the conformance suite. open returns a new, empty, migrated store
// for each subtest and arranges for it to be closed.
func Run(t *testing.T, open func(t *testing.T) casebook.Store) {
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("Groups", func(t *testing.T) { testGroups(t, open(t)) })
	t.Run("Engineers", func(t *testing.T) { testEngineers(t, open(t)) })
	t.Run("AccessKeys", func(t *testing.T) { testAccessKeys(t, open(t)) })
	t.Run("Cases", func(t *testing.T) { testCases(t, open(t)) })
	t.Run("CaseScope", func(t *testing.T) { testCaseScope(t, open(t)) })
	t.Run("FindCases", func(t *testing.T) { testFindCases(t, open(t)) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, open(t)) })
	t.Run("Accessories", func(t *testing.T) { testAccessories(t, open(t)) })
	t.Run("UploadLog", func(t *testing.T) { testUploadLog(t, open(t)) })
	t.Run("Relations", func(t *testing.T) { testRelations(t, open(t)) })
	t.Run("Authorizations", func(t *testing.T) { testAuthorizations(t, open(t)) })
	t.Run("AuthorizationItems", func(t *testing.T) { testAuthorizationItems(t, open(t)) })
	t.Run("FindAuthorizations", func(t *testing.T) { testFindAuthorizations(t, open(t)) })
	t.Run("BoundedTotals", func(t *testing.T) { testBoundedTotals(t, open(t)) })
	t.Run("AuthorizationPages", func(t *testing.T) { testAuthorizationPages(t, open(t)) })
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("Feed", func(t *testing.T) { testFeed(t, open(t)) })             // issue 9
	t.Run("CaseEvents", func(t *testing.T) { testCaseEvents(t, open(t)) }) // issue 9
	t.Run("CaseEventCounts", func(t *testing.T) { testCaseEventCounts(t, open(t)) })
	t.Run("Transactions", func(t *testing.T) { testTransactions(t, open(t)) })
	t.Run("ConcurrentRelations", func(t *testing.T) { testConcurrentRelations(t, open(t)) })
	t.Run("ConcurrentSweep", func(t *testing.T) { testConcurrentSweep(t, open(t)) })
	t.Run("ConcurrentUploads", func(t *testing.T) { testConcurrentUploads(t, open(t)) })
	t.Run("Dictionaries", func(t *testing.T) { testDictionaries(t, open(t)) })
	t.Run("Scores", func(t *testing.T) { testScores(t, open(t)) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, open(t)) })
	t.Run("ConcurrentOutbox", func(t *testing.T) { testConcurrentOutbox(t, open(t)) })
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, open(t)) })
	t.Run("Mails", func(t *testing.T) { testMails(t, open(t)) })
	t.Run("Labels", func(t *testing.T) { testLabels(t, open(t)) })
	t.Run("LabelTotals", func(t *testing.T) { testLabelTotals(t, open(t)) })           // issue 9
	t.Run("CaseStatusCounts", func(t *testing.T) { testCaseStatusCounts(t, open(t)) }) // issue 9
	t.Run("CaseInfo", func(t *testing.T) { testCaseInfo(t, open(t)) })
	t.Run("CaseCursor", func(t *testing.T) { testCaseCursor(t, open(t)) })
	t.Run("ConcurrentLabels", func(t *testing.T) { testConcurrentLabels(t, open(t)) })
	t.Run("CcEmails", func(t *testing.T) { testCcEmails(t, open(t)) }) // issue 9
}

// RunBounds runs the tests of the suite that lower a store's bounds
// (CountBound, DaySkip) to reach them with a few rows: for the package
// that can lower them, when the stores handed to Run cannot.
func RunBounds(t *testing.T, open func(t *testing.T) casebook.Store) {
	t.Run("BoundedTotals", func(t *testing.T) { testBoundedTotals(t, open(t)) })
	t.Run("AuthorizationPages", func(t *testing.T) { testAuthorizationPages(t, open(t)) })
}

// t0 is the fixed instant the suite's times are built from: UTC, with
// milliseconds, which every store must return exactly.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

func write(t *testing.T, s casebook.Store, fn func(tx casebook.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func read(t *testing.T, s casebook.Store, fn func(tx casebook.Tx) error) {
	t.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		t.Fatalf("read: %v", err)
	}
}

// wantCode fails unless err is a *casebook.Error of the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *casebook.Error
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	} else if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want a *casebook.Error %s", err, err, code)
	} else if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
}

// fixture is a small world: account A with a master, three sub-users and a
// group of u1 and u2; account B with a master and one sub-user.
type fixture struct {
	A, B                *casebook.Account
	AMaster, U1, U2, U3 *casebook.User
	BMaster, BU         *casebook.User
	G                   *casebook.Group // u1, u2
	G3                  *casebook.Group // u3 alone
	Eng                 *casebook.Engineer
}

var seq atomic.Int64

// uniq returns a name unique within the test binary.
func uniq(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, seq.Add(1))
}

func newFixture(t *testing.T, s casebook.Store) *fixture {
	t.Helper()
	f := &fixture{}
	f.A = &casebook.Account{ID: casebook.NewHexID(), Name: uniq("acme"), CreatedAt: at(0)}
	f.B = &casebook.Account{ID: casebook.NewHexID(), Name: uniq("globex"), CreatedAt: at(time.Second)}
	user := func(a *casebook.Account, name string, master bool, d time.Duration) *casebook.User {
		return &casebook.User{ID: casebook.NewHexID(), AccountID: a.ID, Name: name, PasswordHash: "hash-" + name,
			IsMaster: master, Enabled: true, Epoch: 1, CreatedAt: at(d)}
	}
	f.AMaster = user(f.A, f.A.Name, true, 2*time.Second)
	f.U1 = user(f.A, "u1", false, 3*time.Second)
	f.U2 = user(f.A, "u2", false, 4*time.Second)
	f.U3 = user(f.A, "u3", false, 5*time.Second)
	f.BMaster = user(f.B, f.B.Name, true, 6*time.Second)
	f.BU = user(f.B, "u1", false, 7*time.Second) // same name as in A: names are per account
	f.G = &casebook.Group{ID: casebook.NewHexID(), AccountID: f.A.ID, Name: "ops", CreatedAt: at(8 * time.Second)}
	f.G3 = &casebook.Group{ID: casebook.NewHexID(), AccountID: f.A.ID, Name: "solo", CreatedAt: at(9 * time.Second)}
	f.Eng = &casebook.Engineer{ID: casebook.NewHexID(), Name: uniq("eng"), PasswordHash: "h", Enabled: true, Epoch: 1, CreatedAt: at(0)}
	write(t, s, func(tx casebook.Tx) error {
		ctx := context.Background()
		for _, a := range []*casebook.Account{f.A, f.B} {
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		for _, u := range []*casebook.User{f.AMaster, f.U1, f.U2, f.U3, f.BMaster, f.BU} {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		for _, g := range []*casebook.Group{f.G, f.G3} {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		for _, m := range []struct{ g, u string }{{f.G.ID, f.U1.ID}, {f.G.ID, f.U2.ID}, {f.G3.ID, f.U3.ID}} {
			if err := tx.AddGroupMember(ctx, f.A.ID, m.g, m.u); err != nil {
				return err
			}
		}
		return tx.CreateEngineer(ctx, f.Eng)
	})
	return f
}

// master, sub and group return scopes of account A.
func (f *fixture) master() casebook.Scope {
	return casebook.Scope{AccountID: f.A.ID, All: true, UserID: f.AMaster.ID}
}
func (f *fixture) sub(u *casebook.User) casebook.Scope {
	return casebook.Scope{AccountID: u.AccountID, UserID: u.ID}
}
func (f *fixture) group(u *casebook.User, g *casebook.Group) casebook.Scope {
	return casebook.Scope{AccountID: u.AccountID, UserID: u.ID, GroupID: g.ID}
}

// newCase returns a ticket of the user created at t0+d, with every field set.
func newCase(u *casebook.User, d time.Duration, description string) *casebook.Case {
	return &casebook.Case{
		ID:                casebook.NewCaseID(at(d)),
		AccountID:         u.AccountID,
		CreatorID:         u.ID,
		CreatorName:       u.Name,
		BusinessTypeID:    "bt-1",
		IncidentSubTypeID: "ist-2",
		ProductCategoryID: "b5f0be5c9639466184abf80e01f9fa1d",
		RegionID:          "cn-south-1",
		ProjectID:         "proj-1",
		SeverityID:        "3",
		SourceID:          "83aeb0f2834c4df49826c781d32a963e",
		SimpleDescription: description,
		RemindMobile:      "13800000000",
		RemindMail:        "ops@example.com",
		RemindTime:        "09:00-18:00",
		AreaCode:          "86",
		ExtendsMap:        map[string]string{"k": "v", "中文": "值"},
		Status:            casebook.CaseStatusPendingAcceptance,
		CreatedAt:         at(d),
		UpdatedAt:         at(d),
	}
}

func createCases(t *testing.T, s casebook.Store, cases ...*casebook.Case) {
	t.Helper()
	write(t, s, func(tx casebook.Tx) error {
		for _, c := range cases {
			if err := tx.CreateCase(context.Background(), c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ids returns the ids of tickets, in order.
func caseIDs(cases []*casebook.Case) []string {
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	return ids
}
