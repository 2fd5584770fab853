package sqlite_test

import (
	"context"
	"testing"

	"github.com/casebook/casebook/storetest"
)

// BenchmarkFindAuthorizations pages through 1M authorizations of one
// account: go test -bench FindAuthorizations ./sqlite/
func BenchmarkFindAuthorizations(b *testing.B) {
	db := testDB{mustOpen(b)}
	seed, err := storetest.SeedAuthorizations(context.Background(), db, 1_000_000, func(ms string) string { return ms })
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkFindAuthorizations(b, db, seed)
}
