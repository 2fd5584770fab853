package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/casebook/casebook"
)

// LabelSeed is the world SeedLabelledCases builds: one account, one user,
// n tickets one second apart; label Rare is on every 1000th ticket, label
// Common on every second one.
type LabelSeed struct {
	Account, User string
	Rare, Common  int64
	N             int
}

// SeedLabelledCases fills an empty store with n tickets and two labels
// using set-based SQL both engines run. timeExpr turns an SQL expression of
// unix milliseconds into the engine's stored time.
func SeedLabelledCases(ctx context.Context, db RawSQL, n int, timeExpr func(ms string) string) (*LabelSeed, error) {
	s := &LabelSeed{Account: "a0000000000000000000000000000001", User: "u0000000000000000000000000000001", Rare: 1, Common: 2, N: n}
	tm := func(ms string) string { return timeExpr(fmt.Sprintf("(%d + %s)", t0.UnixMilli(), ms)) }
	stmts := []string{
		fmt.Sprintf(`INSERT INTO accounts (id, name, created_at) VALUES ('%s', 'labels', %s)`, s.Account, tm("0")),
		fmt.Sprintf(`INSERT INTO users (id, account_id, name, password_hash, is_master, enabled, epoch, created_at)
			VALUES ('%s', '%s', 'user', '', FALSE, TRUE, 0, %s)`, s.User, s.Account, tm("0")),
		fmt.Sprintf(`INSERT INTO labels (id, account_id, owner_id, name, color, created_at) VALUES
			(1, '%[1]s', '%[2]s', 'rare', '#FF0000', %[3]s), (2, '%[1]s', '%[2]s', 'common', '#00FF00', %[3]s)`, s.Account, s.User, tm("0")),
		fmt.Sprintf(`INSERT INTO cases (id, account_id, creator_id, creator_name, business_type_id, incident_sub_type_id,
			product_category_id, region_id, project_id, severity_id, source_id, simple_description, remind_mobile,
			remind_mail, remind_time, area_code, extends_map, status, assignee_id, assignee_name, judgement,
			created_at, updated_at)
			WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %d)
			SELECT 'CS' || i, '%s', '%s', 'user', 'bt', 'ist', 'pc', 'r', 'p', '3', 's', 'ticket number ' || i, '', '', '0', '', '{}',
				1, '', '', '', %s, %s FROM k`, n-1, s.Account, s.User, tm("i * 1000"), tm("i * 1000")),
		fmt.Sprintf(`INSERT INTO case_labels (case_id, label_id, case_created_at, created_at)
			SELECT id, 1, created_at, created_at FROM cases WHERE account_id = '%s' AND CAST(substr(id, 3) AS INTEGER) %% 1000 = 0`, s.Account),
		fmt.Sprintf(`INSERT INTO case_labels (case_id, label_id, case_created_at, created_at)
			SELECT id, 2, created_at, created_at FROM cases WHERE account_id = '%s' AND CAST(substr(id, 3) AS INTEGER) %% 2 = 0`, s.Account),
	}
	for _, q := range stmts {
		if err := db.ExecSQL(ctx, q); err != nil {
			return nil, fmt.Errorf("seed: %w\n%s", err, q)
		}
	}
	return s, nil
}

// BenchSizes returns the sizes the issue-9 benchmarks seed: small and
// larger, and a million rows too when CASEBOOK_BENCH_1M is set (the seed
// of a million takes a minute or more, too long for every run).
func BenchSizes(small, larger int) []int {
	if os.Getenv("CASEBOOK_BENCH_1M") != "" {
		return []int{small, larger, 1_000_000}
	}
	return []int{small, larger}
}

// LabelWorld is one store seeded by SeedLabelledCases.
type LabelWorld struct {
	Store casebook.Store
	Seed  *LabelSeed
}

// BenchmarkFindCasesByLabel measures the first page of a ticket list
// filtered by a rare and by a common label (ListCases label_id_list), and
// the two other lists of the seeded user that issue 9 added: the ticket
// counts by status (ListCaseCounts) and the user's labels (ListLabels).
// Each list runs on every world in turn (list/rows=N), so that with -count
// the sizes of one list are measured back to back.
func BenchmarkFindCasesByLabel(b *testing.B, worlds []LabelWorld) {
	ctx := context.Background()
	run := func(name string, fn func(seed *LabelSeed, tx casebook.Tx) error) {
		for _, w := range worlds {
			b.Run(fmt.Sprintf("%s/rows=%d", name, w.Seed.N), func(b *testing.B) {
				for b.Loop() {
					if err := w.Store.Read(ctx, func(tx casebook.Tx) error { return fn(w.Seed, tx) }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, bc := range []struct {
		name string
		rare bool
	}{{"rare", true}, {"common", false}} {
		run(bc.name, func(seed *LabelSeed, tx casebook.Tx) error {
			label, want := seed.Common, (seed.N+1)/2
			if bc.rare {
				label, want = seed.Rare, (seed.N+999)/1000
			}
			f := casebook.CaseFilter{Scope: casebook.Scope{AccountID: seed.Account, UserID: seed.User}, LabelIDs: []int64{label}, Limit: 10}
			cases, total, err := tx.FindCases(ctx, f)
			if err == nil && (len(cases) != min(10, want) || total < min(want, casebook.MaxCountedTotal)) {
				err = fmt.Errorf("%d cases, total %d; want %d", len(cases), total, want)
			}
			return err
		})
	}
	run("counts", func(seed *LabelSeed, tx casebook.Tx) error {
		counts, err := tx.CountCasesByStatus(ctx, casebook.Scope{AccountID: seed.Account, UserID: seed.User})
		if err == nil && counts[casebook.CaseStatusProcessing] != seed.N {
			err = fmt.Errorf("counts %v; want %d processing", counts, seed.N)
		}
		return err
	})
	run("labels", func(seed *LabelSeed, tx casebook.Tx) error {
		labels, total, err := tx.FindLabels(ctx, casebook.LabelFilter{AccountID: seed.Account, OwnerID: seed.User, Limit: 10})
		if err == nil && (len(labels) != 2 || total != 2) {
			err = fmt.Errorf("%d labels, total %d; want 2", len(labels), total)
		}
		return err
	})
}
