package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parseServeConfig parses serve's flags and returns the effective
// configuration.
func parseServeConfig(t *testing.T, getenv func(string) string, args ...string) (Config, error) {
	t.Helper()
	m := &Main{Stderr: &strings.Builder{}, Getenv: getenv}
	fs := m.newFlags("serve", "", "", allFlags)
	if err := fs.parse(args); err != nil {
		t.Fatal(err)
	}
	return m.config(fs)
}

func noEnv(string) string { return "" }

func TestConfig_Defaults(t *testing.T) {
	cfg, err := parseServeConfig(t, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Data != "./data" || cfg.Addr != "127.0.0.1:8080" || cfg.TokenTTL != Duration(24*time.Hour) ||
		cfg.LinkTTL != Duration(10*time.Minute) || cfg.MaxGrant != Duration(7*24*time.Hour) ||
		cfg.SweepInterval != Duration(30*time.Second) || cfg.PrincipalCache != Duration(5*time.Second) ||
		cfg.LogFormat != "text" || cfg.LogLevel != "info" {
		t.Errorf("defaults: %+v", cfg)
	}
	kind, path, err := cfg.database()
	if err != nil || kind != dbSQLite || path != filepath.Join("data", "casebook.db") {
		t.Errorf("default database: %s %s %v", kind, path, err)
	}
	if dir := cfg.blobDir(); dir != filepath.Join("data", "blobs") {
		t.Errorf("default blob directory: %s", dir)
	}
}

// TestConfig_Precedence checks the documented order: defaults, then the
// file, then the environment, then flags.
func TestConfig_Precedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "casebook.json")
	err := os.WriteFile(path, []byte(`{
		"addr": "127.0.0.1:9001",
		"token_ttl": "1h",
		"link_ttl": "5m",
		"max_grant": "2d",
		"base_url": "https://file.example.com",
		"master_key": "${TEST_KEY}"
	}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("ab", 32)
	environment := map[string]string{
		"CASEBOOK_CONFIG":   path,
		"CASEBOOK_LINK_TTL": "20m",
		"CASEBOOK_BASE_URL": "https://env.example.com",
		"TEST_KEY":          key,
	}
	cfg, err := parseServeConfig(t, func(k string) string { return environment[k] }, "--base-url", "https://flag.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" {
		t.Errorf("addr = %q, want the file's", cfg.Addr)
	}
	if cfg.TokenTTL != Duration(time.Hour) || cfg.MaxGrant != Duration(48*time.Hour) {
		t.Errorf("token_ttl = %s, max_grant = %s, want the file's", cfg.TokenTTL, cfg.MaxGrant)
	}
	if cfg.LinkTTL != Duration(20*time.Minute) {
		t.Errorf("link_ttl = %s, want the environment's", cfg.LinkTTL)
	}
	if cfg.BaseURL != "https://flag.example.com" {
		t.Errorf("base_url = %q, want the flag's", cfg.BaseURL)
	}
	if cfg.MasterKey != key {
		t.Errorf("master_key not expanded from the environment")
	}
	if cfg.Data != "./data" {
		t.Errorf("data = %q, want the default", cfg.Data)
	}
}

func TestConfig_FileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"UnknownKey":  `{"adr": "127.0.0.1:1"}`,
		"BadJSON":     `{"addr": `,
		"BadDuration": `{"link_ttl": "soon"}`,
		"Invalid":     `{"link_ttl": "48h"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".json")
			os.WriteFile(path, []byte(content), 0o600)
			if _, err := parseServeConfig(t, noEnv, "--config", path); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := parseServeConfig(t, noEnv, "--config", filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestConfig_EnvErrorNamesVariable(t *testing.T) {
	_, err := parseServeConfig(t, func(k string) string {
		if k == "CASEBOOK_SWEEP_INTERVAL" {
			return "often"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "CASEBOOK_SWEEP_INTERVAL") {
		t.Errorf("error %v does not name the variable", err)
	}
}

func TestConfig_Validate(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		ok   bool
	}{
		"LinkTTLMin":             {[]string{"--link-ttl", "1m"}, true},
		"LinkTTLMax":             {[]string{"--link-ttl", "24h"}, true},
		"LinkTTLBelow":           {[]string{"--link-ttl", "59s"}, false},
		"LinkTTLAbove":           {[]string{"--link-ttl", "24h1s"}, false},
		"Postgres":               {[]string{"--db", "postgres://u@h/db"}, true},
		"SQLitePath":             {[]string{"--db", "sqlite:/tmp/x.db"}, true},
		"SQLiteNoPath":           {[]string{"--db", "sqlite:"}, false},
		"OtherDB":                {[]string{"--db", "/tmp/x.db"}, false},
		"ZeroTokenTTL":           {[]string{"--token-ttl", "0s"}, false},
		"SweepTooFast":           {[]string{"--sweep-interval", "10ms"}, false},
		"NoPrincipalCache":       {[]string{"--principal-cache", "0s"}, true},
		"PrincipalCacheMax":      {[]string{"--principal-cache", "1m"}, true},
		"PrincipalCacheAbove":    {[]string{"--principal-cache", "61s"}, false},
		"PrincipalCacheNegative": {[]string{"--principal-cache", "-1s"}, false},
		"AttachmentZero":         {[]string{"--attachment-max-mb", "0"}, false},
		"DailyBelowFile":         {[]string{"--attachment-max-mb", "10", "--daily-upload-mb", "5"}, false},
		"BaseURLNoScheme":        {[]string{"--base-url", "example.com"}, false},
		"LogLevel":               {[]string{"--log-level", "debug"}, true},
		"BadLogLevel":            {[]string{"--log-level", "loud"}, false},
		"BodyTimeoutZero":        {[]string{"--body-timeout", "0s"}, false},
		"WriteTimeoutZero":       {[]string{"--write-timeout", "0s"}, false},
		"BodyTimeoutShort":       {[]string{"--body-timeout", "100ms"}, true},
		"PasswordMinLength1":     {[]string{"--password-min-length", "1"}, true},
		"PasswordMinLength0":     {[]string{"--password-min-length", "0"}, false},
		"PasswordMinLength128":   {[]string{"--password-min-length", "128"}, true},
		"PasswordMinLength129":   {[]string{"--password-min-length", "129"}, false},
		"PasswordMinClasses4":    {[]string{"--password-min-classes", "4"}, true},
		"PasswordMinClasses5":    {[]string{"--password-min-classes", "5"}, false},
		"LoginFailuresOff":       {[]string{"--login-failures", "0", "--login-address-failures", "0"}, true},
		"LoginFailuresNegative":  {[]string{"--login-failures", "-1"}, false},
		"LoginMaxDelay1s":        {[]string{"--login-max-delay", "1s"}, true},
		"LoginMaxDelayBelow":     {[]string{"--login-max-delay", "999ms"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			m := &Main{Stderr: &strings.Builder{}, Getenv: noEnv}
			fs := m.newFlags("serve", "", "", allFlags)
			err := fs.parse(tc.args)
			if err == nil {
				_, err = m.config(fs)
			}
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestConfig_PostgresDSNNotInErrors(t *testing.T) {
	m := &Main{Stderr: &strings.Builder{}, Getenv: noEnv}
	fs := m.newFlags("serve", "", "", allFlags)
	fs.parse([]string{"--db", "mysql://root:hunter2@db/x"})
	_, err := m.config(fs)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v", err)
	}
	if got := redactURL("postgres://u:hunter2@db:5432/x?sslmode=disable&password=hunter2"); strings.Contains(got, "hunter2") {
		t.Errorf("redactURL leaves the password: %s", got)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90s": 90 * time.Second, "10m": 10 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute,
	} {
		var d Duration
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("Set(%q) = %v, %v", in, time.Duration(d), err)
		}
		// String round-trips through Set, which is how flags override.
		var back Duration
		if err := back.Set(d.String()); err != nil || back != d {
			t.Errorf("%q: String %q does not round-trip: %v", in, d.String(), err)
		}
	}
	for _, in := range []string{"", "soon", "-1d", "d"} {
		var d Duration
		if err := d.Set(in); err == nil {
			t.Errorf("Set(%q): no error", in)
		}
	}
	if s := Duration(7 * 24 * time.Hour).String(); s != "7d" {
		t.Errorf("String = %q", s)
	}
	if s := Duration(10 * time.Minute).String(); s != "10m" {
		t.Errorf("String = %q", s)
	}
}
