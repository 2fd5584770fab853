package main_test

import (
	"strings"
	"testing"
)

// TestCLI_PasswordPolicy: the admin commands enforce the password policy
// (it used to take any non-empty password), the operator can change it
// with flags or the environment, and the README's passwords meet the
// default.
func TestCLI_PasswordPolicy(t *testing.T) {
	data := t.TempDir()
	e := env{"CASEBOOK_DATA": data}
	for _, args := range [][]string{
		{"account", "create", "--name", "acme", "--password", "short"},
		{"account", "create", "--name", "acme", "--password", "onlylowercase"},
		{"account", "create", "--name", "acme", "--master", "Boss-2024", "--password", "4202-ssoB"},
		{"engineer", "create", "--name", "eve", "--password", "eve"},
	} {
		if _, err := run(t, e, args...); err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("%v: %v, want a password policy error", args, err)
		}
	}
	// Nothing was created by the refusals: the names are free.
	mustRun(t, e, "account", "create", "--name", "acme", "--password", "Acme-pass-1")
	mustRun(t, e, "engineer", "create", "--name", "eve", "--password", "Eve-pass-1")

	strict := env{"CASEBOOK_DATA": data, "CASEBOOK_PASSWORD_MIN_LENGTH": "12", "CASEBOOK_PASSWORD_MIN_CLASSES": "4"}
	if _, err := run(t, strict, "user", "create", "--account", "acme", "--name", "bob", "--password", "Bob-pass-1"); err == nil {
		t.Error("a 12-character policy took a 10-character password")
	}
	mustRun(t, strict, "user", "create", "--account", "acme", "--name", "bob", "--password", "Bob-pass-12!")
	if _, err := run(t, e, "user", "passwd", "--account", "acme", "--name", "bob", "--password", "bob"); err == nil {
		t.Error("user passwd took the user name as the password")
	}
	mustRun(t, e, "user", "passwd", "--account", "acme", "--name", "bob", "--password-min-length", "4", "--password-min-classes", "1", "--password", "bobs")
	if _, err := run(t, e, "migrate", "--password-min-classes", "5"); err == nil {
		t.Error("--password-min-classes 5 accepted")
	}
}

// TestDemo_WeakPasswordRefusedFirst: demo checks the given passwords
// against the policy before it creates anything, so a refusal leaves no
// half-loaded demo and a second run with good passwords succeeds.
func TestDemo_WeakPasswordRefusedFirst(t *testing.T) {
	data := t.TempDir()
	if _, err := run(t, env{}, "demo", "--data", data, "--bob-password", "bob"); err == nil || !strings.Contains(err.Error(), "--bob-password") {
		t.Fatalf("demo with a weak password: %v", err)
	}
	mustRun(t, env{}, "demo", "--data", data, "--bob-password", "Bob-pass-1")
}
