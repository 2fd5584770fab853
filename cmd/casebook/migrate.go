package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/casebook/casebook"
)

// MigrateCommand applies pending database migrations and exits:
// `casebook migrate`. Opening the store migrates, so serve and the admin
// commands do it too; this is for deployments that want schema changes as
// a step of their own (one job migrates, then the replicas roll). It needs
// only the database: no attachment store, no master key.
type MigrateCommand struct {
	Main *Main
}

// Run opens the database, which applies the migrations, and closes it.
func (c *MigrateCommand) Run(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("migrate", "[flags]", "Applies pending database migrations, prints their names, and exits.", storeFlags)
	fs.jsonFlag()
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg, err := c.Main.config(fs)
	if err != nil {
		return err
	}
	logger, err := newLogger(c.Main.Stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	started := time.Now()
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	applied, err := appliedSince(ctx, store, started)
	if err != nil {
		store.Close()
		return err
	}
	logger.Info("database is up to date", "db", describeDB(cfg), "applied", len(applied))
	out := struct {
		Applied []string `json:"applied"`
	}{applied}
	if err := c.Main.print(fs.JSON, out, func(w io.Writer) {
		if len(applied) == 0 {
			fmt.Fprintln(w, "no migration to apply: the database is up to date")
		}
		for _, name := range applied {
			fmt.Fprintf(w, "applied\t%s\n", name)
		}
	}); err != nil {
		store.Close()
		return err
	}
	return store.Close()
}

// appliedSince returns the names of the migrations applied at or after t,
// by this command (or, at the same moment, by another replica).
func appliedSince(ctx context.Context, store casebook.Store, t time.Time) ([]string, error) {
	db, err := (&App{Store: store}).sqlDB()
	if err != nil {
		return nil, err
	}
	// applied_at is unix milliseconds on both engines; t is an integer,
	// so it is written into the query, which needs no placeholder syntax.
	rows, err := db.Writer.QueryContext(ctx, fmt.Sprintf(`SELECT name FROM migrations WHERE applied_at >= %d ORDER BY name`, t.UnixMilli()))
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer rows.Close()
	applied := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read applied migrations: %w", err)
		}
		applied = append(applied, name)
	}
	return applied, rows.Err()
}
