package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/casebook/casebook/storetest"
)

// BenchmarkFindAuthorizations pages through 10k and 1M authorizations of
// one account: go test -bench FindAuthorizations ./sqlite/ (add
// /rows=10000 to skip the minute-long 1M seed).
func BenchmarkFindAuthorizations(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			db := testDB{mustOpen(b)}
			seed, err := storetest.SeedAuthorizations(context.Background(), db, n, func(ms string) string { return ms })
			if err != nil {
				b.Fatal(err)
			}
			storetest.BenchmarkFindAuthorizations(b, db, seed)
		})
	}
}

// BenchmarkFeed polls ten tickets, counts their unread messages and reads a
// history page with 10k and 100k messages, and 1M with CASEBOOK_BENCH_1M=1
// (issue 9): go test -bench Feed ./sqlite/. Every size is seeded first;
// then each call runs on each size in turn.
func BenchmarkFeed(b *testing.B) {
	var worlds []storetest.FeedWorld
	for _, n := range storetest.BenchSizes(10_000, 100_000) {
		db := testDB{mustOpen(b)}
		seed, err := storetest.SeedAuthorizations(context.Background(), db, 1, func(ms string) string { return ms })
		if err != nil {
			b.Fatal(err)
		}
		if err := storetest.SeedMessages(context.Background(), db, seed, n, func(ms string) string { return ms }); err != nil {
			b.Fatal(err)
		}
		worlds = append(worlds, storetest.FeedWorld{Store: db, Seed: seed, N: n})
	}
	storetest.BenchmarkFeed(b, worlds)
}

// BenchmarkFindCasesByLabel lists tickets by label, counts them by status
// and lists the labels among 10k and 100k tickets, and 1M with
// CASEBOOK_BENCH_1M=1: go test -bench FindCasesByLabel ./sqlite/. Every
// size is seeded first; then each list runs on each size in turn.
func BenchmarkFindCasesByLabel(b *testing.B) {
	var worlds []storetest.LabelWorld
	for _, n := range storetest.BenchSizes(10_000, 100_000) {
		db := testDB{mustOpen(b)}
		seed, err := storetest.SeedLabelledCases(context.Background(), db, n, func(ms string) string { return ms })
		if err != nil {
			b.Fatal(err)
		}
		// Statistics, as PRAGMA optimize gathers them when the server
		// opens the database: they let the planner start from the label.
		if err := db.ExecSQL(context.Background(), "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		worlds = append(worlds, storetest.LabelWorld{Store: db, Seed: seed})
	}
	storetest.BenchmarkFindCasesByLabel(b, worlds)
}
