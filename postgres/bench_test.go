package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/casebook/casebook/storetest"
)

// BenchmarkFindAuthorizations pages through 10k and 1M authorizations of
// one account: go test -bench FindAuthorizations ./postgres/ (add
// /rows=10000 to skip the minute-long 1M seed).
func BenchmarkFindAuthorizations(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			db := testDB{mustOpen(b)}
			ctx := context.Background()
			seed, err := storetest.SeedAuthorizations(ctx, db, n, func(ms string) string { return "to_timestamp(" + ms + " / 1000.0)" })
			if err != nil {
				b.Fatal(err)
			}
			if err := db.ExecSQL(ctx, "VACUUM ANALYZE"); err != nil { // as autovacuum would, for index-only scans
				b.Fatal(err)
			}
			storetest.BenchmarkFindAuthorizations(b, db, seed)
		})
	}
}

// BenchmarkFeed polls ten tickets, counts their unread messages and reads a
// history page with 10k and 100k messages, and 1M with CASEBOOK_BENCH_1M=1
// (issue 9): go test -bench Feed ./postgres/. Every size is seeded first
// (a schema each); then each call runs on each size in turn.
func BenchmarkFeed(b *testing.B) {
	ctx := context.Background()
	pgTime := func(ms string) string { return "to_timestamp(" + ms + " / 1000.0)" }
	var worlds []storetest.FeedWorld
	for _, n := range storetest.BenchSizes(10_000, 100_000) {
		db := testDB{mustOpen(b)}
		seed, err := storetest.SeedAuthorizations(ctx, db, 1, pgTime)
		if err != nil {
			b.Fatal(err)
		}
		if err := storetest.SeedMessages(ctx, db, seed, n, pgTime); err != nil {
			b.Fatal(err)
		}
		if err := db.ExecSQL(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
		worlds = append(worlds, storetest.FeedWorld{Store: db, Seed: seed, N: n})
	}
	storetest.BenchmarkFeed(b, worlds)
}

// BenchmarkFindCasesByLabel lists tickets by label, counts them by status
// and lists the labels among 10k and 100k tickets, and 1M with
// CASEBOOK_BENCH_1M=1: go test -bench FindCasesByLabel ./postgres/. Every
// size is seeded first; then each list runs on each size in turn.
func BenchmarkFindCasesByLabel(b *testing.B) {
	ctx := context.Background()
	var worlds []storetest.LabelWorld
	for _, n := range storetest.BenchSizes(10_000, 100_000) {
		db := testDB{mustOpen(b)}
		seed, err := storetest.SeedLabelledCases(ctx, db, n, func(ms string) string { return "to_timestamp(" + ms + " / 1000.0)" })
		if err != nil {
			b.Fatal(err)
		}
		if err := db.ExecSQL(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
		worlds = append(worlds, storetest.LabelWorld{Store: db, Seed: seed})
	}
	storetest.BenchmarkFindCasesByLabel(b, worlds)
}
