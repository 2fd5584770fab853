package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/casebook/casebook/sqlstore"
)

// emptyTables is the dialect's EmptyTables: one TRUNCATE of all tables,
// which satisfies the foreign keys and fires no row triggers. The
// append-only logs refuse TRUNCATE by triggers, which the reset alone
// lifts, inside its transaction.
func emptyTables(ctx context.Context, tx *sql.Tx) error {
	tables, err := sqlstore.QueryStrings(ctx, tx,
		`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migrations'`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	quoted := make([]string, len(tables))
	for i, t := range tables {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	var stmts []string
	for _, t := range sqlstore.AppendOnlyTables {
		stmts = append(stmts, `ALTER TABLE `+t+` DISABLE TRIGGER USER`)
	}
	stmts = append(stmts, "TRUNCATE "+strings.Join(quoted, ", ")+" RESTART IDENTITY")
	for _, t := range sqlstore.AppendOnlyTables {
		stmts = append(stmts, `ALTER TABLE `+t+` ENABLE TRIGGER USER`)
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
