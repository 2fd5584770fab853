package main

import (
	"context"
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
	fs := c.Main.newFlags("migrate", "[flags]", "Applies pending database migrations and exits.", storeFlags)
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
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	logger.Info("database is up to date", "db", describeDB(cfg))
	return store.Close()
}
