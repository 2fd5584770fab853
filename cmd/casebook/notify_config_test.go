package main_test

import (
	"strings"
	"testing"

	main "github.com/casebook/casebook/cmd/casebook"
)

// TestConfig_NotifySettings: the webhook and SMTP settings are checked at
// and just past their bounds, and an error never shows the SMTP password.
func TestConfig_NotifySettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(c *main.Config)
		want string // "" = valid
	}{
		{"Defaults", func(c *main.Config) {}, ""},
		{"TimeoutMin", func(c *main.Config) { c.WebhookTimeout = main.Duration(1e9) }, ""},
		{"TimeoutTooShort", func(c *main.Config) { c.WebhookTimeout = main.Duration(999e6) }, "--webhook-timeout"},
		{"TimeoutMax", func(c *main.Config) { c.WebhookTimeout = main.Duration(300e9) }, ""},
		{"TimeoutTooLong", func(c *main.Config) { c.WebhookTimeout = main.Duration(301e9) }, "--webhook-timeout"},
		{"AttemptsMin", func(c *main.Config) { c.WebhookMaxAttempts = 1 }, ""},
		{"AttemptsZero", func(c *main.Config) { c.WebhookMaxAttempts = 0 }, "--webhook-max-attempts"},
		{"AttemptsMax", func(c *main.Config) { c.WebhookMaxAttempts = 100 }, ""},
		{"AttemptsTooMany", func(c *main.Config) { c.WebhookMaxAttempts = 101 }, "--webhook-max-attempts"},
		{"ConcurrencyZero", func(c *main.Config) { c.WebhookConcurrency = 0 }, "--webhook-concurrency"},
		{"ConcurrencyMax", func(c *main.Config) { c.WebhookConcurrency = 1024 }, ""},
		{"ConcurrencyTooMany", func(c *main.Config) { c.WebhookConcurrency = 1025 }, "--webhook-concurrency"},
		{"SMTP", func(c *main.Config) { c.SMTPHost, c.SMTPFrom = "smtp.example.com", "a@example.com" }, ""},
		{"SMTPNoFrom", func(c *main.Config) { c.SMTPHost = "smtp.example.com" }, "--smtp-from"},
		{"SMTPPort0", func(c *main.Config) { c.SMTPHost, c.SMTPFrom, c.SMTPPort = "h", "a@b", 0 }, "--smtp-port"},
		{"SMTPPort65536", func(c *main.Config) { c.SMTPHost, c.SMTPFrom, c.SMTPPort = "h", "a@b", 65536 }, "--smtp-port"},
		{"SMTPSecurity", func(c *main.Config) { c.SMTPHost, c.SMTPFrom, c.SMTPSecurity = "h", "a@b", "ssl" }, "--smtp-security"},
		{"SMTPUserWithoutPassword", func(c *main.Config) { c.SMTPHost, c.SMTPFrom, c.SMTPUser = "h", "a@b", "u" }, "--smtp-password"},
		{"SMTPPasswordWithoutUser", func(c *main.Config) {
			c.SMTPHost, c.SMTPFrom, c.SMTPPassword = "h", "a@b", "smtp-secret-Zq81"
		}, "--smtp-user"},
		{"SMTPLang", func(c *main.Config) { c.SMTPLang = "fr-fr" }, "--smtp-lang"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := main.DefaultConfig()
			tc.set(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want an error about %s", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "smtp-secret-Zq81"):
				t.Fatalf("the error shows the SMTP password: %v", err)
			}
		})
	}
}
