package main_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestEngineerEmailCommands: `engineer create --email`, `engineer email
// --set|--clear` and the address in `engineer list --json`; a bad address
// is refused and changes nothing.
func TestEngineerEmailCommands(t *testing.T) {
	e := env{"CASEBOOK_DATA": t.TempDir(), "CASEBOOK_PASSWORD": "Secret-pass-123"}
	var created struct {
		EngineerName string `json:"engineer_name"`
		Email        string `json:"email"`
	}
	mustRunJSON(t, e, &created, "engineer", "create", "--name", "ann", "--email", "ann@example.com")
	if created.Email != "ann@example.com" {
		t.Fatalf("engineer create --email: %+v", created)
	}
	mustRun(t, e, "engineer", "create", "--name", "bob")
	if _, err := run(t, e, "engineer", "create", "--name", "carol", "--email", "carol"); err == nil || !strings.Contains(err.Error(), "not an e-mail address") {
		t.Fatalf("create with a bad address: %v", err)
	}
	list := func() string {
		var engineers []struct {
			EngineerName string `json:"engineer_name"`
			Email        string `json:"email"`
		}
		mustRunJSON(t, e, &engineers, "engineer", "list")
		got := ""
		for _, en := range engineers {
			got += fmt.Sprintf("%s=%s;", en.EngineerName, en.Email)
		}
		return got
	}
	if got := list(); got != "ann=ann@example.com;bob=;" {
		t.Fatalf("engineer list: %s", got)
	}

	mustRun(t, e, "engineer", "email", "--name", "bob", "--set", "bob@example.com")
	if _, err := run(t, e, "engineer", "email", "--name", "ann", "--set", "Ann <ann@example.com>"); err == nil {
		t.Fatal("set a display-name address: accepted")
	}
	for _, args := range [][]string{{"--name", "ann"}, {"--name", "ann", "--set", "a@example.com", "--clear"}, {"--name", "ann", "--set", ""}} {
		if _, err := run(t, e, append([]string{"engineer", "email"}, args...)...); err == nil {
			t.Fatalf("engineer email %v: accepted", args)
		}
	}
	if _, err := run(t, e, "engineer", "email", "--name", "nobody", "--set", "x@example.com"); err == nil {
		t.Fatal("set on a missing engineer: accepted")
	}
	if got := list(); got != "ann=ann@example.com;bob=bob@example.com;" {
		t.Fatalf("after set: %s", got)
	}
	if out := mustRun(t, e, "engineer", "email", "--name", "ann", "--clear"); !strings.Contains(out, "cleared") {
		t.Fatalf("clear: %s", out)
	}
	if got := list(); got != "ann=;bob=bob@example.com;" {
		t.Fatalf("after clear: %s", got)
	}
	if out := mustRun(t, e, "engineer", "list"); !strings.Contains(out, "EMAIL") || !strings.Contains(out, "bob@example.com") {
		t.Fatalf("engineer list table: %s", out)
	}
}
