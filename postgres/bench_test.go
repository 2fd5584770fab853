package postgres_test

import (
	"context"
	"testing"

	"github.com/casebook/casebook/storetest"
)

// BenchmarkFindAuthorizations pages through 1M authorizations of one
// account: go test -bench FindAuthorizations ./postgres/
func BenchmarkFindAuthorizations(b *testing.B) {
	db := testDB{mustOpen(b)}
	ctx := context.Background()
	seed, err := storetest.SeedAuthorizations(ctx, db, 1_000_000, func(ms string) string { return "to_timestamp(" + ms + " / 1000.0)" })
	if err != nil {
		b.Fatal(err)
	}
	if err := db.ExecSQL(ctx, "VACUUM ANALYZE"); err != nil { // as autovacuum would, for index-only scans
		b.Fatal(err)
	}
	storetest.BenchmarkFindAuthorizations(b, db, seed)
}
