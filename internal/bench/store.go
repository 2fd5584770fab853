package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
	"github.com/casebook/casebook/postgres"
	"github.com/casebook/casebook/sqlite"
	"github.com/casebook/casebook/sqlstore"
)

// The names casebook serve uses in its data directory and environment:
// seed must write where the server reads.
const (
	dbFileName    = "casebook.db"
	masterKeyFile = "master.key"
	envPrefix     = "CASEBOOK_"
)

// storeFlags are the settings of the store seed loads into: the same flags
// and CASEBOOK_* variables as casebook serve's.
type storeFlags struct {
	data, db, masterKey string
}

func (f *storeFlags) register(c *command) {
	c.StringVar(&f.data, "data", "", "data `directory` of casebook serve: holds "+dbFileName+" and "+masterKeyFile+" (env CASEBOOK_DATA; default ./data)")
	c.StringVar(&f.db, "db", "", "database: a SQLite path, sqlite:`PATH` or a postgres:// URL (env CASEBOOK_DB; default sqlite:DATA/"+dbFileName+")")
	c.StringVar(&f.masterKey, "master-key", "", "master `key` of the server, 64 hex characters (better: env CASEBOOK_MASTER_KEY; default: DATA/"+masterKeyFile+", created if missing)")
}

// fill takes what the command line left empty from the environment, then
// the defaults.
func (f *storeFlags) fill(getenv func(string) string) {
	for _, s := range []struct {
		p   *string
		env string
		def string
	}{{&f.data, "DATA", "./data"}, {&f.db, "DB", ""}, {&f.masterKey, "MASTER_KEY", ""}} {
		if *s.p == "" {
			*s.p = getenv(envPrefix + s.env)
		}
		if *s.p == "" {
			*s.p = s.def
		}
	}
}

// bulkStore is an opened store that loads datasets in bulk: *sqlite.DB or
// *postgres.DB.
type bulkStore interface {
	casebook.Store
	PrepareBulk(ctx context.Context, cacheMiB int) error
	BulkInsert(context.Context, *sqlstore.Bulk) error
	FinishBulk(context.Context) error
}

var (
	_ bulkStore = (*sqlite.DB)(nil)
	_ bulkStore = (*postgres.DB)(nil)
)

// openedStore is the store seed writes to, with a Service over it for
// what must go through the domain (access keys, sealed with the master
// key).
type openedStore struct {
	store    bulkStore
	service  *casebook.Service
	describe string // the database, without credentials
}

// open opens (and migrates) the database and loads the master key.
func (f *storeFlags) open(ctx context.Context, logger *slog.Logger) (*openedStore, error) {
	key, err := f.loadMasterKey()
	if err != nil {
		return nil, err
	}
	sealer, err := auth.NewSealer(auth.DeriveKey(key, auth.PurposeSeal))
	if err != nil {
		return nil, err
	}
	o := &openedStore{}
	switch db := f.db; {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		if o.store, err = postgres.Open(ctx, db); err != nil {
			return nil, fmt.Errorf("open postgres database %s: %w", redactURL(db), err)
		}
		o.describe = redactURL(db)
	case strings.Contains(db, "://"):
		// Not echoed: a mistyped DSN may hold a password.
		return nil, errors.New("--db must be a SQLite path, sqlite:PATH or a postgres:// URL")
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite:"), "//")
		if path == "" {
			path = filepath.Join(f.data, dbFileName)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		if o.store, err = sqlite.Open(ctx, path); err != nil {
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		o.describe = "sqlite:" + path
	}
	o.service = casebook.NewService(o.store, nil, sealer, casebook.DefaultConfig())
	o.service.Logger = logger
	return o, nil
}

// loadMasterKey returns the key given, else the data directory's key file,
// created (with the directory) if missing, as casebook serve does.
func (f *storeFlags) loadMasterKey() ([]byte, error) {
	if f.masterKey != "" {
		key, err := auth.ParseKey(f.masterKey)
		if err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		return key, nil
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	key, err := auth.LoadOrCreateKeyFile(filepath.Join(f.data, masterKeyFile))
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return key, nil
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
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}
