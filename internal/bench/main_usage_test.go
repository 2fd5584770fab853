package bench_test

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestUsageErrors runs the binary with each kind of mistake: it exits 2,
// names the problem on standard error and prints nothing on standard
// output.
func TestUsageErrors(t *testing.T) {
	bin := binary(t, "casebook-bench")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run"}, "--users is required"},
		{[]string{"run", "--url", "http://127.0.0.1:1"}, "--users is required"},
		{[]string{"run", "--users", "u.json", "--concurrency", "0"}, "--concurrency must be between 1 and 1024"},
		{[]string{"run", "--users", "u.json", "--endpoints", "lisst"}, `unknown endpoint "lisst"`},
		{[]string{"run", "--users", "u.json", "--url", "http://example.com"}, "--url must name a loopback address"},
		{[]string{"run", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"run", "--users", "u.json", "extra"}, `unexpected argument "extra"`},
		{[]string{"run", "--duration", "soon"}, `invalid value "soon" for flag -duration`},
		{[]string{"seed", "--accounts", "0"}, "--accounts must be at least 1"},
		{[]string{"seed", "--tickets", "1", "--accounts", "2"}, "--tickets must be at least --accounts"},
		{[]string{"seed", "--prefix", ""}, "--prefix"},
		{[]string{"soak"}, "--users is required"},
		{[]string{"soak", "--users", "u.json"}, "--server-pid PID or --start COMMAND"},
		{[]string{"soak", "--users", "u.json", "--server-pid", "1", "--start", "casebook serve"}, "--server-pid PID or --start COMMAND"},
		{[]string{"soak", "--users", "u.json", "--server-pid", "1", "--requests", "0"}, "--requests must be at least 1"},
		{[]string{"soak", "--users", "u.json", "--server-pid", "1", "--server-log", "x.log"}, "--server-log needs --start"},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = cleanEnv()
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("casebook-bench %s: %v, want exit status 2", strings.Join(c.args, " "), err)
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("casebook-bench %s: standard error does not name the problem (%q):\n%s", strings.Join(c.args, " "), c.want, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("casebook-bench %s: no usage on standard error:\n%s", strings.Join(c.args, " "), stderr.String())
		}
		if stdout.Len() > 0 {
			t.Errorf("casebook-bench %s: standard output is not empty:\n%s", strings.Join(c.args, " "), stdout.String())
		}
	}
}

// TestHelp asks each command for help: it goes to standard output, and
// the exit status is 0.
func TestHelp(t *testing.T) {
	bin := binary(t, "casebook-bench")
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}, {"run", "--help"}, {"seed", "-h"}, {"soak", "-help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("casebook-bench %s: %v, want exit status 0", strings.Join(args, " "), err)
		}
		if !strings.Contains(stdout.String(), "Usage:") || stderr.Len() > 0 {
			t.Errorf("casebook-bench %s: want the usage on standard output only; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout.String(), stderr.String())
		}
	}
	// Each command's help lists its flags.
	cmd := exec.Command(bin, "soak", "-h")
	out, _ := cmd.Output()
	for _, flag := range []string{"-requests", "-warmup", "-server-pid", "-start", "-max-rss-growth"} {
		if !bytes.Contains(out, []byte(flag)) {
			t.Errorf("soak -h does not list %s:\n%s", flag, out)
		}
	}
}
