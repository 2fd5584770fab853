package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

// Seed is the world SeedAuthorizations builds: one account with ten
// sub-users, 1000 tickets and n authorizations of them, created one second
// apart from t0 (newest last).
type Seed struct {
	Account    string
	Users      []string // ids of the ten creators; Users[i] created tickets with i == ticket % 10
	Group      string   // users 0 and 1
	Now        time.Time
	N          int
	CaseOfAuth func(i int) string
}

// SeedAuthorizations fills an empty store with n authorizations using set-
// based SQL (a recursive CTE that both engines run). timeExpr turns an SQL
// expression of unix milliseconds into the engine's stored time.
func SeedAuthorizations(ctx context.Context, db RawSQL, n int, timeExpr func(ms string) string) (*Seed, error) {
	return seedAuthorizations(ctx, db, n, timeExpr, true)
}

// SeedAuthorizationsBeforeCaseCopy is SeedAuthorizations on a schema from
// before authorizations held copies of their ticket's description and
// creator's name (SQLite's migration 0017, PostgreSQL's 0016), for the
// test of their backfill: seed, migrate, then CheckCaseCopies.
func SeedAuthorizationsBeforeCaseCopy(ctx context.Context, db RawSQL, n int, timeExpr func(ms string) string) (*Seed, error) {
	return seedAuthorizations(ctx, db, n, timeExpr, false)
}

// CheckCaseCopies fails t unless every authorization of the seed shows its
// ticket's description and its creator's name.
func CheckCaseCopies(t *testing.T, s casebook.Store, seed *Seed) {
	t.Helper()
	ctx := context.Background()
	err := s.Read(ctx, func(tx casebook.Tx) error {
		for i := range seed.N {
			a, err := tx.FindAuthorizationByID(ctx, fmt.Sprintf("AU%d", i))
			if err != nil {
				return err
			}
			want := fmt.Sprintf("ticket number %d", i%1000)
			if a.CaseDescription != want || a.CaseCreatorName != fmt.Sprintf("user%d", i%10) || a.CaseCreatorID != seed.Users[i%10] {
				t.Fatalf("AU%d shows its ticket as %q by %q (%s); want %q by user%d (%s)",
					i, a.CaseDescription, a.CaseCreatorName, a.CaseCreatorID, want, i%10, seed.Users[i%10])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SeedCredentialsBeforeFlagRead gives every third item (by id) of a seed
// on a schema from before the credential flag was read from credentials
// (SQLite's migration 0018, PostgreSQL's 0017) a credential row, and
// stores every item's flag the wrong way round, for the test of that
// migration: seed, migrate, then CheckCredentialFlags. sealed is the
// engine's literal of a byte string.
func SeedCredentialsBeforeFlagRead(ctx context.Context, db RawSQL, sealed string) error {
	for _, q := range []string{
		`INSERT INTO credentials (detail_id, account_id, authorization_id, port, account, sealed)
			SELECT id, account_id, authorization_id, 22, 'root', ` + sealed + ` FROM authorization_details WHERE id % 3 = 0`,
		`UPDATE authorization_details SET has_credential = (id % 3 <> 0)`,
	} {
		if err := db.ExecSQL(ctx, q); err != nil {
			return fmt.Errorf("seed credentials: %w\n%s", err, q)
		}
	}
	return nil
}

// CheckCredentialFlags fails t unless every item of the seed shows a
// credential exactly when SeedCredentialsBeforeFlagRead gave it one.
func CheckCredentialFlags(t *testing.T, s casebook.Store, seed *Seed) {
	t.Helper()
	ctx := context.Background()
	held := 0
	err := s.Read(ctx, func(tx casebook.Tx) error {
		for i := range seed.N {
			a, err := tx.FindAuthorizationByID(ctx, fmt.Sprintf("AU%d", i))
			if err != nil {
				return err
			}
			for _, d := range a.Details {
				if want := d.ID%3 == 0; d.HasCredential != want {
					t.Fatalf("AU%d item %d shows a credential: %v, want %v", i, d.ID, d.HasCredential, want)
				} else if want {
					held++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if held != seed.N/3 {
		t.Fatalf("%d items hold a credential, want %d", held, seed.N/3)
	}
}

func seedAuthorizations(ctx context.Context, db RawSQL, n int, timeExpr func(ms string) string, copies bool) (*Seed, error) {
	s := &Seed{Account: "a0000000000000000000000000000000", Group: "g0000000000000000000000000000000", N: n,
		Now: t0.Add(time.Duration(n) * time.Second / 2)}
	for i := range 10 {
		s.Users = append(s.Users, fmt.Sprintf("u%031d", i))
	}
	s.CaseOfAuth = func(i int) string { return fmt.Sprintf("CS%d", i%1000) }
	base := t0.UnixMilli()
	tm := func(ms string) string { return timeExpr(fmt.Sprintf("(%d + %s)", base, ms)) }
	// The ticket's description and creator's name, as CreateAuthorization
	// copies them.
	copyColumns, copyValues := ", case_description, case_creator_name", ", 'ticket number ' || (i % 1000), 'user' || (i % 10)"
	// Schemas from before the copies also stored each item's credential
	// flag (dropped by SQLite's migration 0018, PostgreSQL's 0017).
	flagColumn, flagValue := "", ""
	if !copies {
		copyColumns, copyValues = "", ""
		flagColumn, flagValue = ", has_credential", ", FALSE"
	}
	stmts := []string{
		fmt.Sprintf(`INSERT INTO accounts (id, name, created_at) VALUES ('%s', 'bench', %s)`, s.Account, tm("0")),
		fmt.Sprintf(`INSERT INTO user_groups (id, account_id, name, created_at) VALUES ('%s', '%s', 'g', %s)`, s.Group, s.Account, tm("0")),
	}
	for i, u := range s.Users {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO users (id, account_id, name, password_hash, is_master, enabled, epoch, created_at)
			VALUES ('%s', '%s', 'user%d', '', FALSE, TRUE, 0, %s)`, u, s.Account, i, tm("0")))
	}
	stmts = append(stmts,
		fmt.Sprintf(`INSERT INTO group_members (account_id, group_id, user_id) VALUES ('%s', '%s', '%s'), ('%s', '%s', '%s')`,
			s.Account, s.Group, s.Users[0], s.Account, s.Group, s.Users[1]),
		fmt.Sprintf(`INSERT INTO cases (id, account_id, creator_id, creator_name, business_type_id, incident_sub_type_id,
			product_category_id, region_id, project_id, severity_id, source_id, simple_description, remind_mobile,
			remind_mail, remind_time, area_code, extends_map, status, assignee_id, assignee_name, judgement,
			created_at, updated_at)
			WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999)
			SELECT 'CS' || i, '%s', 'u' || substr('0000000000000000000000000000000', 1, 31 - length(CAST(i %% 10 AS TEXT))) || CAST(i %% 10 AS TEXT),
				'user' || (i %% 10), 'bt', 'ist', 'pc', 'r', 'p', '3', 's', 'ticket number ' || i, '', '', '0', '', '{}',
				1, '', '', '', %s, %s FROM k`, s.Account, tm("i * 1000"), tm("i * 1000")),
		// Statuses cycle 0..5; authorized ones (1) have windows ending
		// on both sides of Now.
		fmt.Sprintf(`INSERT INTO authorizations (id, account_id, case_id, case_creator_id, case_deleted, status,
			resource_type_id, visit_type_id, content_type_id, request_describe, content_of_auth_letter, engineer_id,
			engineer_name, handler_id, handler_name, agency_id, agency_name, reject_reason, effective_at, expire_at,
			created_at, updated_at%s)
			WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %d)
			SELECT 'AU' || i, '%s', 'CS' || (i %% 1000),
				'u' || substr('0000000000000000000000000000000', 1, 31 - length(CAST(i %% 10 AS TEXT))) || CAST(i %% 10 AS TEXT),
				FALSE, i %% 6, 'rt', 'vt', 'ct', 'describe', 'letter', 'e1', 'eng', '', '', '', '', '',
				%s, %s, %s, %s%s FROM k`, copyColumns, n-1, s.Account, tm("i * 1000"), tm("i * 1000 + 3600000 * (i % 7)"), tm("i * 1000"), tm("i * 1000"), copyValues),
		fmt.Sprintf(`INSERT INTO authorization_details (account_id, authorization_id, detail_type, instance_id, instance_name,
			region_id, port, account%s)
			SELECT account_id, id, 1, 'i-1', 'ecs', 'r', 22, 'root'%s FROM authorizations`, flagColumn, flagValue),
	)
	for _, q := range stmts {
		if err := db.ExecSQL(ctx, q); err != nil {
			return nil, fmt.Errorf("seed: %w\n%s", err, q)
		}
	}
	return s, nil
}

// BenchmarkFindAuthorizations measures one page of FindAuthorizations on a
// seeded store, at shallow and deep offsets, for the scopes and filters
// customers use. Latency should not grow with the offset beyond the cost of
// skipping index entries, and never read skipped rows from the table.
func BenchmarkFindAuthorizations(b *testing.B, s casebook.Store, seed *Seed) {
	ctx := context.Background()
	master := casebook.Scope{AccountID: seed.Account, All: true, UserID: seed.Users[0]}
	sub := casebook.Scope{AccountID: seed.Account, UserID: seed.Users[3]}
	group := casebook.Scope{AccountID: seed.Account, UserID: seed.Users[0], GroupID: seed.Group}
	authorized, expired := casebook.AuthStatusAuthorized, casebook.AuthStatusExpired
	for _, bc := range []struct {
		name   string
		filter casebook.AuthorizationFilter
	}{
		{"master", casebook.AuthorizationFilter{Scope: master}},
		{"sub-user", casebook.AuthorizationFilter{Scope: sub}},
		{"group", casebook.AuthorizationFilter{Scope: group}},
		{"status=1", casebook.AuthorizationFilter{Scope: master, Status: &authorized}},
		{"status=3", casebook.AuthorizationFilter{Scope: master, Status: &expired}},
		{"case", casebook.AuthorizationFilter{Scope: master, CaseID: seed.CaseOfAuth(7)}},
	} {
		for _, offset := range []int{0, 10_000, 65_535} {
			b.Run(fmt.Sprintf("%s/offset=%d", bc.name, offset), func(b *testing.B) {
				f := bc.filter
				f.Now, f.Offset, f.Limit = seed.Now, offset, 100
				for b.Loop() {
					err := s.Read(ctx, func(tx casebook.Tx) error {
						_, total, err := tx.FindAuthorizations(ctx, f)
						if err == nil && total == 0 {
							err = fmt.Errorf("nothing found")
						}
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
