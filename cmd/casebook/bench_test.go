package main_test

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestBenchSeedHelp checks that `casebook bench` is the load benchmark of
// casebook-bench: ratio.sh calls `casebook bench seed`.
func TestBenchSeedHelp(t *testing.T) {
	m, stdout, stderr := newMain(env{}, "")
	err := m.Run(context.Background(), []string{"bench", "seed", "-h"})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("casebook bench seed -h: %v, want flag.ErrHelp\nstderr:\n%s", err, stderr)
	}
	out := stdout.String()
	for _, want := range []string{"Usage: casebook bench seed", "-authorizations", "-users-per-account"} {
		if !strings.Contains(out, want) {
			t.Errorf("casebook bench seed -h: standard output lacks %q:\n%s", want, out)
		}
	}
	if stderr.String() != "" {
		t.Errorf("casebook bench seed -h: standard error not empty:\n%s", stderr)
	}
}

// TestBenchUsageError checks that a mistake under `casebook bench` is a
// usage error (exit status 2), named once on standard error.
func TestBenchUsageError(t *testing.T) {
	m, _, stderr := newMain(env{}, "")
	err := m.Run(context.Background(), []string{"bench", "seed", "--accounts", "0"})
	if err == nil {
		t.Fatal("casebook bench seed --accounts 0 succeeded")
	}
	if n := strings.Count(stderr.String(), "--accounts must be at least 1"); n != 1 {
		t.Errorf("the mistake is named %d times on standard error, want once:\n%s", n, stderr)
	}
	if !strings.HasPrefix(stderr.String(), "casebook bench: ") {
		t.Errorf("standard error does not start with the command's name:\n%s", stderr)
	}
}
