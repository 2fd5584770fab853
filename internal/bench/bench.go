// Command casebook-bench is Casebook's load benchmark, kept out of the
// product's binary:
//
//	casebook-bench seed    load a synthetic dataset straight into a store
//	casebook-bench run     drive the five seed endpoints of a running server
//	casebook-bench soak    send a bounded mix of requests and watch the
//	                       server's 5xx answers and resident memory
//
// See bench/README.md and docs/benchmarks.md. Every command takes -h.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Main is the program with the streams and environment it was given, so
// that tests run it in-process.
type Main struct {
	Stdout io.Writer // results, and help asked for with -h
	Stderr io.Writer // progress, and usage errors
	Getenv func(string) string

	// Name is the command's name in usage and messages; "casebook-bench"
	// if empty.
	Name string
}

func (m *Main) name() string {
	if m.Name == "" {
		return "casebook-bench"
	}
	return m.Name
}

const usageText = `NAME: Casebook's load benchmark.

Usage:

	NAME <command> [flags]

Commands:

	seed    load a synthetic dataset straight into a store, and write a
	        users file with logins for run and soak
	run     drive the five seed endpoints of a running server, closed-loop,
	        and report throughput and latency
	soak    send a bounded mix of requests (the five seed endpoints,
	        uploads, logins) and fail on any 5xx or on memory growth

Run "NAME <command> -h" for a command's flags. See bench/README.md.
`

// Run runs the command named by args[0]. A usage error is named on
// Stderr, followed by the usage, and returned as a *usageError.
func (m *Main) Run(ctx context.Context, args []string) error {
	err := m.dispatch(ctx, args)
	var usage *usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(m.Stderr, "%s: %v\n", m.name(), usage.err)
		if usage.usage != nil {
			fmt.Fprintln(m.Stderr)
			usage.usage(m.Stderr)
		}
	}
	return err
}

func (m *Main) dispatch(ctx context.Context, args []string) error {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	printUsage := func(w io.Writer) { fmt.Fprint(w, strings.ReplaceAll(usageText, "NAME", m.name())) }
	switch name {
	case "seed":
		return m.seed(ctx, args)
	case "run":
		return m.run(ctx, args)
	case "soak":
		return m.soak(ctx, args)
	case "help", "-h", "-help", "--help":
		printUsage(m.Stdout)
		return flag.ErrHelp
	case "":
		return &usageError{errors.New("no command given: seed, run or soak"), printUsage}
	default:
		return &usageError{fmt.Errorf("unknown command %q: want seed, run or soak", name), printUsage}
	}
}

// usageError is a mistake on the command line: Run names it and prints
// usage, and the process exits 2.
type usageError struct {
	err   error
	usage func(io.Writer)
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// command is the flag set of one command and its help.
type command struct {
	*flag.FlagSet
	prog, synopsis, help string
}

func (m *Main) newCommand(name, synopsis, help string) *command {
	c := &command{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), prog: m.name(), synopsis: synopsis, help: help}
	// The flag package would print errors and usage itself, to one
	// stream; parse prints them where they belong.
	c.SetOutput(io.Discard)
	c.Usage = func() {}
	return c
}

// usage prints the command's synopsis, help and flags to w.
func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s %s\n\n%s\n\nFlags:\n", c.prog, c.Name(), c.synopsis, strings.TrimSpace(c.help))
	c.SetOutput(w)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// parse parses args. -h prints the usage on out and returns flag.ErrHelp;
// a mistake, or a positional argument, is a *usageError.
func (c *command) parse(args []string, out io.Writer) error {
	if err := c.Parse(args); errors.Is(err, flag.ErrHelp) {
		c.usage(out)
		return err
	} else if err != nil {
		return c.fail(err)
	}
	if c.NArg() > 0 {
		return c.fail(fmt.Errorf("unexpected argument %q: %s takes only flags", c.Arg(0), c.Name()))
	}
	return nil
}

// fail returns err as a usage error of the command.
func (c *command) fail(err error) error {
	return &usageError{fmt.Errorf("%s: %w", c.Name(), err), c.usage}
}

// failf is fail with a message.
func (c *command) failf(format string, args ...any) error {
	return c.fail(fmt.Errorf(format, args...))
}

// given reports whether the flag name was set on the command line.
func (c *command) given(name string) bool {
	var names []string
	c.Visit(func(f *flag.Flag) { names = append(names, f.Name) })
	return slices.Contains(names, name)
}

// IsUsageError reports whether err, returned by Run, is a mistake on the
// command line, which Run has already named on Stderr (exit status 2).
func IsUsageError(err error) bool {
	var usage *usageError
	return errors.As(err, &usage)
}
