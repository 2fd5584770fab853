package sqlstore_test

import (
	"testing"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/storetest"
)

// The conformance tests that lower the stores' bounds (with the setters of
// export_test.go, which only this package's tests see), on both engines.

func TestBoundsSQLite(t *testing.T) {
	storetest.RunBounds(t, func(t *testing.T) casebook.Store { return openBulkSQLite(t).(*sqlite.DB).DB })
}

func TestBoundsPostgres(t *testing.T) {
	storetest.RunBounds(t, func(t *testing.T) casebook.Store { return openBulkPostgres(t).(*postgres.DB).DB })
}
