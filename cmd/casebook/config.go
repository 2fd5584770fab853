package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// EnvPrefix starts the name of every environment variable Casebook reads:
// the variable for flag --link-ttl is CASEBOOK_LINK_TTL.
const EnvPrefix = "CASEBOOK_"

// Config is the configuration of the server and of the admin commands. It is
// filled, from lowest to highest precedence, by DefaultConfig, the JSON file
// named by --config, CASEBOOK_* environment variables and command-line flags.
type Config struct {
	Data      string `json:"data"`       // data directory: casebook.db, blobs/, master.key
	Addr      string `json:"addr"`       // listen address of serve
	DB        string `json:"db"`         // "sqlite:PATH" or "postgres://..."; "" = sqlite in Data
	Blobs     string `json:"blobs"`      // a directory or "s3://..."; "" = Data/blobs
	MasterKey string `json:"master_key"` // hex or base64; "" = the key file in Data
	BaseURL   string `json:"base_url"`   // public base URL for download links; "" = from the request

	TokenTTL        Duration `json:"token_ttl"`
	LinkTTL         Duration `json:"link_ttl"`
	MaxGrant        Duration `json:"max_grant"`
	SweepInterval   Duration `json:"sweep_interval"`
	PrincipalCache  Duration `json:"principal_cache"`
	AttachmentMaxMB int      `json:"attachment_max_mb"`
	DailyUploadMB   int      `json:"daily_upload_mb"`
	BodyTimeout     Duration `json:"body_timeout"`
	WriteTimeout    Duration `json:"write_timeout"`

	PasswordMinLength    int      `json:"password_min_length"`
	PasswordMinClasses   int      `json:"password_min_classes"`
	LoginFailures        int      `json:"login_failures"`
	LoginAddressFailures int      `json:"login_address_failures"`
	LoginMaxDelay        Duration `json:"login_max_delay"`
	LoginFirstDelay      Duration `json:"login_first_delay"`

	MetricsAddr  string `json:"metrics_addr"`  // "" = /metrics on Addr; "none" = no metrics endpoint
	TestControls bool   `json:"test_controls"` // /testing/v1: reset and clock; for test servers only
	// Notifications (notify/, docs/webhooks.md).
	WebhookAllowPrivate bool     `json:"webhook_allow_private"` // allow loopback/private/link-local targets
	WebhookTimeout      Duration `json:"webhook_timeout"`       // per delivery attempt
	WebhookMaxAttempts  int      `json:"webhook_max_attempts"`  // then a dead letter
	WebhookConcurrency  int      `json:"webhook_concurrency"`   // attempts in flight per replica

	// E-mail over SMTP; off while SMTPHost is empty.
	SMTPHost      string `json:"smtp_host"`
	SMTPPort      int    `json:"smtp_port"`
	SMTPSecurity  string `json:"smtp_security"` // starttls, tls or none
	SMTPUser      string `json:"smtp_user"`
	SMTPPassword  string `json:"smtp_password"` // better: env CASEBOOK_SMTP_PASSWORD
	SMTPFrom      string `json:"smtp_from"`
	SMTPLang      string `json:"smtp_lang"`      // zh-cn or en-us
	SMTPEngineers string `json:"smtp_engineers"` // comma-separated addresses told of new tickets and grants

	LogFormat string `json:"log_format"` // "text" or "json"
	LogLevel  string `json:"log_level"`  // "debug", "info", "warn", "error"
}

// Defaults of the settings that are not derived from the domain's defaults.
const (
	DefaultDataDir       = "./data"
	DefaultAddr          = "127.0.0.1:8080"
	DefaultTokenTTL      = 24 * time.Hour
	DefaultLinkTTL       = 10 * time.Minute
	DefaultSweepInterval = 30 * time.Second
	// DefaultPrincipalCache is how long a replica reuses a resolved user.
	DefaultPrincipalCache = 5 * time.Second
	// DefaultBodyTimeout is how long a request body may take to arrive;
	// uploads get more in proportion to the attachment size limit.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the sending of a response other than an
	// attachment download.
	DefaultWriteTimeout = time.Minute

	// Names of the files inside the data directory.
	DBFileName       = "casebook.db"
	BlobsDirName     = "blobs"
	MasterKeyFile    = "master.key"
	minLinkTTL       = time.Minute
	maxLinkTTL       = 24 * time.Hour
	minSweepInterval = time.Second
	// maxPrincipalCache bounds how late another replica may notice that a
	// user was disabled.
	maxPrincipalCache = time.Minute
)

// DefaultConfig returns the documented defaults (docs/configuration.md).
func DefaultConfig() Config {
	limits := casebook.DefaultConfig()
	return Config{
		Data:            DefaultDataDir,
		Addr:            DefaultAddr,
		TokenTTL:        Duration(DefaultTokenTTL),
		LinkTTL:         Duration(DefaultLinkTTL),
		MaxGrant:        Duration(limits.MaxGrantDuration),
		SweepInterval:   Duration(DefaultSweepInterval),
		PrincipalCache:  Duration(DefaultPrincipalCache),
		AttachmentMaxMB: int(limits.AccessoryMaxSize >> 20),
		DailyUploadMB:   int(limits.DailyUploadBytes >> 20),
		BodyTimeout:     Duration(DefaultBodyTimeout),
		WriteTimeout:    Duration(DefaultWriteTimeout),

		PasswordMinLength:    limits.PasswordPolicy.MinLength,
		PasswordMinClasses:   limits.PasswordPolicy.MinClasses,
		LoginFailures:        casebook.DefaultLoginFailures,
		LoginAddressFailures: casebook.DefaultLoginAddressFailures,
		LoginMaxDelay:        Duration(casebook.DefaultLoginMaxDelay),
		LoginFirstDelay:      Duration(time.Second),
		LogFormat:            "text",
		LogLevel:             "info",

		WebhookTimeout:     Duration(notify.DefaultTimeout),
		WebhookMaxAttempts: limits.WebhookMaxAttempts,
		WebhookConcurrency: notify.DefaultConcurrency,
		SMTPPort:           587,
		SMTPSecurity:       notify.SMTPStartTLS,
		SMTPLang:           "zh-cn",
	}
}

// Validate checks the configuration without touching the disk or network.
func (c *Config) Validate() error {
	if c.Data == "" {
		return errors.New("--data must not be empty")
	}
	if c.DB != "" {
		if _, _, err := c.database(); err != nil {
			return err
		}
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("--base-url must start with http:// or https://, got %q", c.BaseURL)
	}
	if c.TokenTTL <= 0 {
		return fmt.Errorf("--token-ttl must be positive, got %s", c.TokenTTL)
	}
	if time.Duration(c.LinkTTL) < minLinkTTL || time.Duration(c.LinkTTL) > maxLinkTTL {
		return fmt.Errorf("--link-ttl must be between %s and %s, got %s", Duration(minLinkTTL), Duration(maxLinkTTL), c.LinkTTL)
	}
	if c.MaxGrant <= 0 {
		return fmt.Errorf("--max-grant must be positive, got %s", c.MaxGrant)
	}
	if time.Duration(c.SweepInterval) < minSweepInterval {
		return fmt.Errorf("--sweep-interval must be at least %s, got %s", Duration(minSweepInterval), c.SweepInterval)
	}
	if c.PrincipalCache < 0 || time.Duration(c.PrincipalCache) > maxPrincipalCache {
		return fmt.Errorf("--principal-cache must be between 0s and %s, got %s", Duration(maxPrincipalCache), c.PrincipalCache)
	}
	if c.AttachmentMaxMB < 1 {
		return fmt.Errorf("--attachment-max-mb must be at least 1, got %d", c.AttachmentMaxMB)
	}
	if c.DailyUploadMB < c.AttachmentMaxMB {
		return fmt.Errorf("--daily-upload-mb (%d) must be at least --attachment-max-mb (%d)", c.DailyUploadMB, c.AttachmentMaxMB)
	}
	if time.Duration(c.WebhookTimeout) < time.Second || time.Duration(c.WebhookTimeout) > 5*time.Minute {
		return fmt.Errorf("--webhook-timeout must be between 1s and 5m, got %s", c.WebhookTimeout)
	}
	if c.WebhookMaxAttempts < 1 || c.WebhookMaxAttempts > 100 {
		return fmt.Errorf("--webhook-max-attempts must be between 1 and 100, got %d", c.WebhookMaxAttempts)
	}
	if c.WebhookConcurrency < 1 || c.WebhookConcurrency > 1024 {
		return fmt.Errorf("--webhook-concurrency must be between 1 and 1024, got %d", c.WebhookConcurrency)
	}
	if c.SMTPHost != "" {
		if c.SMTPPort < 1 || c.SMTPPort > 65535 {
			return fmt.Errorf("--smtp-port must be between 1 and 65535, got %d", c.SMTPPort)
		}
		switch c.SMTPSecurity {
		case notify.SMTPStartTLS, notify.SMTPTLS, notify.SMTPNone:
		default:
			return fmt.Errorf("--smtp-security must be starttls, tls or none, got %q", c.SMTPSecurity)
		}
		if c.SMTPFrom == "" {
			return errors.New("--smtp-from is required with --smtp-host")
		}
		if (c.SMTPUser == "") != (c.SMTPPassword == "") {
			return errors.New("--smtp-user and --smtp-password go together")
		}
	}
	if c.SMTPLang != "zh-cn" && c.SMTPLang != "en-us" {
		return fmt.Errorf("--smtp-lang must be zh-cn or en-us, got %q", c.SMTPLang)
	}
	if c.BodyTimeout <= 0 {
		return fmt.Errorf("--body-timeout must be positive, got %s", c.BodyTimeout)
	}
	if c.WriteTimeout <= 0 {
		return fmt.Errorf("--write-timeout must be positive, got %s", c.WriteTimeout)
	}
	policy := c.passwordPolicy()
	if err := policy.Validate(); err != nil {
		return fmt.Errorf("--password-min-length must be 1 to %d and --password-min-classes 1 to 4, got %d and %d",
			casebook.MaxPasswordLength, policy.MinLength, policy.MinClasses)
	}
	if c.LoginFailures < 0 || c.LoginAddressFailures < 0 {
		return fmt.Errorf("--login-failures and --login-address-failures must not be negative, got %d and %d", c.LoginFailures, c.LoginAddressFailures)
	}
	if time.Duration(c.LoginFirstDelay) < 100*time.Millisecond || c.LoginFirstDelay > c.LoginMaxDelay {
		return fmt.Errorf("--login-first-delay must be between 100ms and --login-max-delay, got %s", c.LoginFirstDelay)
	}
	if time.Duration(c.LoginMaxDelay) < time.Second {
		return fmt.Errorf("--login-max-delay must be at least 1s, got %s", c.LoginMaxDelay)
	}
	if _, err := parseLogLevel(c.LogLevel); err != nil {
		return err
	}
	if err := c.validateOperations(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, got %q", c.LogFormat)
	}
	return nil
}

// passwordPolicy is the policy the settings describe.
func (c *Config) passwordPolicy() casebook.PasswordPolicy {
	return casebook.PasswordPolicy{MinLength: c.PasswordMinLength, MinClasses: c.PasswordMinClasses}
}

// Database kinds returned by Config.database.
const (
	dbSQLite   = "sqlite"
	dbPostgres = "postgres"
)

// database returns the kind of database and its path (SQLite) or DSN
// (PostgreSQL).
func (c *Config) database() (kind, target string, err error) {
	switch s := c.DB; {
	case s == "":
		return dbSQLite, filepath.Join(c.Data, DBFileName), nil
	case strings.HasPrefix(s, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("--db sqlite: needs a path, e.g. sqlite:/var/lib/casebook/casebook.db")
		}
		return dbSQLite, path, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return dbPostgres, s, nil
	default:
		// Not echoed: a mistyped DSN may hold a password.
		return "", "", errors.New("--db must be sqlite:PATH or a postgres:// URL")
	}
}

// blobDir returns the attachment directory, or "" when attachments go to S3.
func (c *Config) blobDir() string {
	switch s := c.Blobs; {
	case s == "":
		return filepath.Join(c.Data, BlobsDirName)
	case strings.HasPrefix(s, "s3://"):
		return ""
	default:
		return strings.TrimPrefix(s, "file:")
	}
}

// usesDataDir reports whether anything lives in the data directory: the
// SQLite file, the attachment directory or the key file. A replica on
// PostgreSQL and S3 with its key in the environment needs none.
func (c *Config) usesDataDir() bool {
	kind, path, _ := c.database()
	dataAbs, _ := filepath.Abs(c.Data)
	inData := func(p string) bool {
		abs, _ := filepath.Abs(p)
		return abs == dataAbs || strings.HasPrefix(abs, dataAbs+string(filepath.Separator))
	}
	return (kind == dbSQLite && inData(path)) ||
		(c.blobDir() != "" && inData(c.blobDir())) ||
		c.MasterKey == ""
}

// ReadConfigFile reads a JSON configuration file over base. Values of the
// form ${NAME} are expanded with getenv first, so a file can refer to
// secrets kept in the environment ("master_key": "${CASEBOOK_MASTER_KEY}").
// Unknown keys are refused: a typo must not silently fall back to a default.
func ReadConfigFile(path string, base Config, getenv func(string) string) (Config, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return base, fmt.Errorf("read config file: %w", err)
	}
	buf = []byte(os.Expand(string(buf), getenv))
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	cfg := base
	if err := dec.Decode(&cfg); err != nil {
		return base, fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

// Duration is a time.Duration that reads "90s", "10m", "24h" or whole days
// ("7d") from flags, the environment and JSON, and prints itself short.
type Duration time.Duration

// Set implements flag.Value.
func (d *Duration) Set(s string) error {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid duration %q", s)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q (examples: 90s, 10m, 24h, 7d)", s)
	}
	*d = Duration(v)
	return nil
}

// String implements flag.Value: "24h" rather than "24h0m0s".
func (d Duration) String() string {
	v := time.Duration(d)
	if v != 0 && v%(24*time.Hour) == 0 && v >= 48*time.Hour {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// UnmarshalJSON accepts a duration string ("10m") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return d.Set(s)
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration must be a string such as \"10m\" or a number of seconds")
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the short string form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Flag groups: which settings a command accepts.
const (
	storeFlags = iota // the store only: admin commands
	allFlags          // everything: serve and demo
	bareFlags         // none: commands that touch no store (version)
)

// configFlags registers the configuration flags on fs, bound to cfg, and
// the --config flag bound to path. It returns the names of the
// configuration flags, which are also the ones read from the environment.
func configFlags(fs *flag.FlagSet, cfg *Config, path *string, group int) []string {
	var names []string
	if group == bareFlags {
		return nil
	}
	str := func(p *string, name, usage string) {
		fs.StringVar(p, name, *p, usage)
		names = append(names, name)
	}
	dur := func(p *Duration, name, usage string) {
		fs.Var(p, name, usage)
		names = append(names, name)
	}
	num := func(p *int, name, usage string) {
		fs.IntVar(p, name, *p, usage)
		names = append(names, name)
	}
	boolean := func(p *bool, name, usage string) {
		fs.BoolVar(p, name, *p, usage)
		names = append(names, name)
	}

	fs.StringVar(path, "config", "", "optional JSON configuration `file` (env "+EnvPrefix+"CONFIG)")
	str(&cfg.Data, "data", "data `directory`: holds "+DBFileName+", "+BlobsDirName+"/ and "+MasterKeyFile+"; created 0700 on first start")
	str(&cfg.DB, "db", "database: sqlite:`PATH` or a postgres:// URL (default sqlite:DATA/"+DBFileName+")")
	str(&cfg.Blobs, "blobs", "attachment store: a `directory` or s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&insecure=true (default DATA/"+BlobsDirName+")")
	str(&cfg.MasterKey, "master-key", "master `key`, 64 hex characters (better: env "+EnvPrefix+"MASTER_KEY); default: DATA/"+MasterKeyFile+", created on first start. Replicas must share one key")
	if group == allFlags {
		str(&cfg.Addr, "addr", "listen `address`")
		str(&cfg.BaseURL, "base-url", "public base `URL` for download links, e.g. https://casebook.example.com (default: from the request's Host)")
		dur(&cfg.TokenTTL, "token-ttl", "lifetime of X-Auth-Token tokens (a `duration`: 90s, 10m, 24h, 7d)")
		dur(&cfg.LinkTTL, "link-ttl", "lifetime of attachment download links, 1m to 24h (a `duration`)")
		dur(&cfg.MaxGrant, "max-grant", "longest window a customer may grant an engineer (a `duration`)")
		dur(&cfg.SweepInterval, "sweep-interval", "how often expired grants are ended and their credentials destroyed (a `duration`)")
		dur(&cfg.PrincipalCache, "principal-cache", "how long a token's user (enabled, groups, password epoch) and an access key's secret are reused without a database read, 0s to 1m; disabling a user or a key reaches other replicas within it (a `duration`; 0s: read on every request)")
		num(&cfg.AttachmentMaxMB, "attachment-max-mb", "largest attachment, in `MiB`")
		num(&cfg.DailyUploadMB, "daily-upload-mb", "attachment bytes one user may upload per UTC day, in `MiB`")
		dur(&cfg.BodyTimeout, "body-timeout", "how long a request body may take to arrive; an upload gets it once more per MiB of --attachment-max-mb (a `duration`)")
		dur(&cfg.WriteTimeout, "write-timeout", "how long sending a response may take, attachment downloads excepted (a `duration`)")
	}
	// The password policy applies to the admin commands too: they set
	// passwords.
	num(&cfg.PasswordMinLength, "password-min-length", "shortest new password, in `characters` (1 to 128)")
	num(&cfg.PasswordMinClasses, "password-min-classes", "character classes a new password mixes, of lower-case, upper-case, digits and others (a `number`, 1 to 4)")
	if group == allFlags {
		num(&cfg.LoginFailures, "login-failures", "failed logins of one user name before each further one delays the next attempt, doubling from 1s (a `number`; 0: no limit)")
		num(&cfg.LoginAddressFailures, "login-address-failures", "failed logins from one client address before delays start (a `number`; 0: no limit)")
		dur(&cfg.LoginMaxDelay, "login-max-delay", "longest delay after failed logins; counts are forgotten this long after the last failure (a `duration`)")
		dur(&cfg.LoginFirstDelay, "login-first-delay", "delay after the first failed login past the allowance, doubled after each further one, up to --login-max-delay (a `duration`)")
	}
	if group == allFlags && fs.Name() == "serve" { // not demo: it serves nothing
		str(&cfg.MetricsAddr, "metrics-addr", "serve /metrics (Prometheus) on this `address` instead of the main listener; \"none\": not at all")
		fs.BoolVar(&cfg.TestControls, "test-controls", cfg.TestControls, "enable the test controls under /testing/v1 (reset, clock): never on a server holding real data")
		names = append(names, "test-controls")
	}
	boolean(&cfg.WebhookAllowPrivate, "webhook-allow-private", "allow webhook targets on loopback, private, link-local and other internal addresses (refused by default, when subscribing and when dialling)")
	if group == allFlags {
		dur(&cfg.WebhookTimeout, "webhook-timeout", "time limit of one webhook delivery attempt, 1s to 5m (a `duration`)")
		num(&cfg.WebhookMaxAttempts, "webhook-max-attempts", "delivery attempts before a webhook delivery becomes a dead letter, 1 to 100 (a `number`)")
		num(&cfg.WebhookConcurrency, "webhook-concurrency", "webhook delivery attempts in flight per replica, 1 to 1024 (a `number`)")
		str(&cfg.SMTPHost, "smtp-host", "SMTP server `host` for e-mail notifications (default: none, no e-mail)")
		num(&cfg.SMTPPort, "smtp-port", "SMTP server `port` (587 for starttls, 465 for tls)")
		str(&cfg.SMTPSecurity, "smtp-security", "SMTP connection `security`: starttls (required), tls (implicit) or none (a local relay only)")
		str(&cfg.SMTPUser, "smtp-user", "SMTP user `name` (default: no authentication)")
		str(&cfg.SMTPPassword, "smtp-password", "SMTP `password` (better: env "+EnvPrefix+"SMTP_PASSWORD)")
		str(&cfg.SMTPFrom, "smtp-from", "sender `address` of notifications, e.g. \"Support <support@example.com>\"")
		str(&cfg.SMTPLang, "smtp-lang", "`language` of notifications: zh-cn or en-us")
		str(&cfg.SMTPEngineers, "smtp-engineers", "comma-separated shared `addresses` told of new tickets in the queue (as engineers with an address are) and of grants to engineers without one")
	}
	str(&cfg.LogFormat, "log-format", "log `format`: text or json")
	str(&cfg.LogLevel, "log-level", "log `level`: debug, info, warn or error")
	return names
}

// envName returns the environment variable of a configuration flag.
func envName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// loadConfig returns the effective configuration of a command whose flags
// have been parsed into fs: defaults, then the config file, then the
// environment, then the flags given on the command line.
func loadConfig(fs *flag.FlagSet, names []string, path string, getenv func(string) string, group int) (Config, error) {
	if path == "" {
		path = getenv(EnvPrefix + "CONFIG")
	}
	cfg := DefaultConfig()
	if path != "" {
		var err error
		if cfg, err = ReadConfigFile(path, cfg, getenv); err != nil {
			return Config{}, err
		}
	}

	// A second flag set bound to cfg takes the environment, then the
	// flags the user actually gave (their values round-trip as strings).
	over := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	var ignored string
	configFlags(over, &cfg, &ignored, group)
	for _, name := range names {
		if v := getenv(envName(name)); v != "" {
			if err := over.Set(name, v); err != nil {
				return Config{}, fmt.Errorf("%s: %w", envName(name), err)
			}
		}
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if over.Lookup(f.Name) != nil && f.Name != "config" && err == nil {
			err = over.Set(f.Name, f.Value.String())
		}
	})
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// smtpEngineers returns the engineers' notification addresses.
func (c *Config) smtpEngineers() []string {
	var out []string
	for _, a := range strings.Split(c.SMTPEngineers, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
