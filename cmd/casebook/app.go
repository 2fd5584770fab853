package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/blob/fs"
	"github.com/casebook/casebook/blob/s3"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
)

// App is an opened store, attachment store and master key with the Service
// over them: what serve, the admin commands and demo share.
type App struct {
	Config    Config
	Logger    *slog.Logger
	Store     casebook.Store
	Blobs     casebook.BlobStore
	Service   *casebook.Service
	MasterKey []byte
}

// OpenApp creates the data directory if something lives in it, opens (and
// migrates) the database, the attachment store and the master key, and
// builds the Service.
func OpenApp(ctx context.Context, cfg Config, logger *slog.Logger) (_ *App, err error) {
	app := &App{Config: cfg, Logger: logger}
	defer func() {
		if err != nil {
			app.Close()
		}
	}()

	if cfg.usesDataDir() {
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}

	if app.MasterKey, err = loadMasterKey(cfg); err != nil {
		return nil, err
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(app.MasterKey, auth.PurposeSeal))
	if err != nil {
		return nil, err
	}

	if app.Store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if app.Blobs, err = openBlobs(ctx, cfg); err != nil {
		return nil, err
	}

	limits := casebook.DefaultConfig()
	limits.MaxGrantDuration = time.Duration(cfg.MaxGrant)
	limits.AccessoryMaxSize = int64(cfg.AttachmentMaxMB) << 20
	limits.DailyUploadBytes = int64(cfg.DailyUploadMB) << 20
	limits.WebhookAllowPrivate = cfg.WebhookAllowPrivate
	limits.WebhookMaxAttempts = cfg.WebhookMaxAttempts
	limits.MailEnabled = cfg.SMTPHost != ""
	limits.MailEngineers = cfg.smtpEngineers()
	limits.PasswordPolicy = cfg.passwordPolicy()
	app.Service = casebook.NewService(app.Store, app.Blobs, sealer, limits)
	app.Service.Logger = logger
	app.Service.Logins = &casebook.LoginLimiter{
		Failures:        cfg.LoginFailures,
		AddressFailures: cfg.LoginAddressFailures,
		MaxDelay:        time.Duration(cfg.LoginMaxDelay),
		FirstDelay:      time.Duration(cfg.LoginFirstDelay),
	}
	return app, nil
}

// Close closes the store. Attachment stores hold nothing to release.
func (a *App) Close() error {
	if a.Store == nil {
		return nil
	}
	err := a.Store.Close()
	a.Store = nil
	return err
}

// loadMasterKey returns the master key: from the configuration (flag,
// environment or file) if given, else from the key file in the data
// directory, which is created on first start.
func loadMasterKey(cfg Config) ([]byte, error) {
	if cfg.MasterKey != "" {
		key, err := auth.ParseKey(cfg.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		return key, nil
	}
	key, err := auth.LoadOrCreateKeyFile(filepath.Join(cfg.Data, MasterKeyFile))
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return key, nil
}

// openStore opens the configured database and applies pending migrations.
func openStore(ctx context.Context, cfg Config) (casebook.Store, error) {
	kind, target, err := cfg.database()
	if err != nil {
		return nil, err
	}
	switch kind {
	case dbPostgres:
		db, err := postgres.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("open postgres database %s: %w", redactURL(target), err)
		}
		return db, nil
	default:
		if dir := filepath.Dir(target); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		db, err := sqlite.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("open sqlite database %s: %w", target, err)
		}
		return db, nil
	}
}

// openBlobs opens the configured attachment store.
func openBlobs(ctx context.Context, cfg Config) (casebook.BlobStore, error) {
	if dir := cfg.blobDir(); dir != "" {
		store, err := fs.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("open attachment directory: %w", err)
		}
		return store, nil
	}
	s3cfg, err := s3.ParseURL(cfg.Blobs)
	if err != nil {
		return nil, err
	}
	store, err := s3.Open(ctx, s3cfg)
	if err != nil {
		return nil, err
	}
	return store, nil
}

// describeDB names the database for logs without credentials.
func describeDB(cfg Config) string {
	kind, target, err := cfg.database()
	if err != nil {
		return "invalid"
	}
	if kind == dbPostgres {
		return redactURL(target)
	}
	return "sqlite:" + target
}

// describeBlobs names the attachment store for logs without credentials.
func describeBlobs(cfg Config) string {
	if dir := cfg.blobDir(); dir != "" {
		return dir
	}
	return redactURL(cfg.Blobs)
}

// redactURL returns u without its password and query (which may carry
// one, e.g. postgres' password=...).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}
