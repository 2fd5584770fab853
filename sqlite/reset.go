package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/casebook/casebook/sqlstore"
)

// emptyTables is the dialect's EmptyTables: DELETE of every table. Foreign
// keys are checked at commit, when every table is empty; the delete
// triggers of the authorization counters write rows while the tables
// empty, which a second pass removes. The append-only logs refuse deletes
// by triggers: they are dropped and created again inside the transaction.
func emptyTables(ctx context.Context, tx *sql.Tx) error {
	tables, err := sqlstore.QueryStrings(ctx, tx,
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'migrations' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	names, err := sqlstore.QueryStrings(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'trigger'
		AND tbl_name IN ('`+strings.Join(sqlstore.AppendOnlyTables, "', '")+`') ORDER BY name`)
	if err != nil {
		return fmt.Errorf("list triggers: %w", err)
	}
	creates, err := sqlstore.QueryStrings(ctx, tx, `SELECT sql FROM sqlite_master WHERE type = 'trigger'
		AND tbl_name IN ('`+strings.Join(sqlstore.AppendOnlyTables, "', '")+`') ORDER BY name`)
	if err != nil {
		return fmt.Errorf("list triggers: %w", err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+name+`"`); err != nil {
			return err
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`); err != nil {
				return fmt.Errorf("empty %s: %w", t, err)
			}
		}
	}
	for _, create := range creates {
		if _, err := tx.ExecContext(ctx, create); err != nil {
			return err
		}
	}
	return nil
}
