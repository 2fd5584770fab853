// Command casebook is the Casebook server and its administration tool.
//
//	casebook serve                 run the server
//	casebook account|user|group|engineer|accesskey|audit ...
//	                               administer the store directly
//	casebook migrate               apply database migrations and exit
//	casebook demo                  load a demo dataset
//
// Every command takes -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/casebook/casebook"
)

// main only connects the process to Main: arguments, standard streams,
// environment, signals and the exit status.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	setGCPercent()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	var usage *usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		// The flag package has already printed the problem and the usage.
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "casebook:", errorText(err))
		os.Exit(1)
	}
}

// defaultGCPercent is the garbage collector's target unless GOGC is set.
// Casebook's live heap is a few megabytes (the database's caches live
// outside it), so at Go's default of 100 it collected about thirty times a
// second under load, for a seventh of ShowAuthorizationDetail's CPU; at 200
// that CPU went from 163 to 140 µs a request, with the same resident size
// (docs/benchmarks.md, issue 14).
const defaultGCPercent = 200

// setGCPercent applies defaultGCPercent, unless the operator set GOGC.
func setGCPercent() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// errorText returns what to tell the operator about err: the message of a
// domain error ("The account name "acme" is taken."), which is written for
// people, else the whole chain.
func errorText(err error) string {
	if casebook.ErrorCode(err) != casebook.EINTERNAL {
		return casebook.ErrorMessage(err)
	}
	return err.Error()
}

// Main is the program. It holds what the process gives a command (streams
// and environment), so that tests run commands in-process with their own.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer // command output: ids, tables, JSON
	Stderr io.Writer // logs and usage
	Getenv func(string) string

	// Listening, when set, is called by serve with the bound address once it
	// accepts connections. Tests use it with --addr 127.0.0.1:0.
	Listening func(addr string)
	// Middleware, when set, wraps the server's handler. Tests use it to see
	// when a request is in flight.
	Middleware func(http.Handler) http.Handler
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Run runs the command named by args[0] with the rest of args. A usage
// mistake is always named on standard error, after the usage if one was
// printed, so that no mistake fails silently.
func (m *Main) Run(ctx context.Context, args []string) error {
	err := m.run(ctx, args)
	var usage *usageError
	if errors.As(err, &usage) {
		if _, done := usage.err.(alreadyReported); !done {
			fmt.Fprintf(m.Stderr, "casebook: %s\n", usage.err)
			usage.err = alreadyReported{usage.err}
		}
	}
	return err
}

func (m *Main) run(ctx context.Context, args []string) error {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "serve":
		return (&ServeCommand{Main: m}).Run(ctx, args)
	case "migrate":
		return (&MigrateCommand{Main: m}).Run(ctx, args)
	case "account":
		return (&AccountCommand{Main: m}).Run(ctx, args)
	case "user":
		return (&UserCommand{Main: m}).Run(ctx, args)
	case "group":
		return (&GroupCommand{Main: m}).Run(ctx, args)
	case "engineer":
		return (&EngineerCommand{Main: m}).Run(ctx, args)
	case "accesskey":
		return (&AccessKeyCommand{Main: m}).Run(ctx, args)
	case "audit":
		return (&AuditCommand{Main: m}).Run(ctx, args)
	case "dictionary":
		return (&DictionaryCommand{Main: m}).Run(ctx, args)
	case "webhook":
		return (&WebhookCommand{Main: m}).Run(ctx, args)
	case "demo":
		return (&DemoCommand{Main: m}).Run(ctx, args)
	case "version", "-version", "--version":
		return (&VersionCommand{Main: m}).Run(ctx, args)
	case "backup":
		return (&BackupCommand{Main: m}).Run(ctx, args)
	case "restore":
		return (&RestoreCommand{Main: m}).Run(ctx, args)
	case "bench":
		return m.runBench(ctx, args)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(m.Stdout, usageText)
		return flag.ErrHelp
	case "":
		fmt.Fprint(m.Stderr, usageText)
		return &usageError{errors.New("no command given")}
	default:
		fmt.Fprintf(m.Stderr, "casebook: unknown command %q\n\n", name)
		fmt.Fprint(m.Stderr, usageText)
		return &usageError{alreadyReported{fmt.Errorf("unknown command %q", name)}}
	}
}

const usageText = `Casebook: a self-hosted service-ticket server speaking the Huawei Cloud OSM v2 API.

Usage:

	casebook <command> [arguments]

Commands:

	serve       run the HTTP server
	version     print the version, commit and Go release (also --version)
	migrate     apply database migrations and exit
	backup      copy the SQLite database and attachments to a file, online
	restore     restore a backup file into an empty data directory
	account     create or list customer accounts
	user        create, list, disable, enable, delete users, or change a password
	group       create or list user groups and manage their members
	engineer    create, list, disable or enable support engineers, set their e-mail or password
	accesskey   create, list, disable, enable or delete AK/SK pairs
	audit       list the audit log
	dictionary  export or import the dictionaries of the ticket form
	webhook     add, list or remove webhook subscriptions; show deliveries, redeliver
	demo        load a demo dataset and print how to log in
	bench       load benchmark: seed, run, soak (the same as casebook-bench)

Run "casebook <command> -h" for a command's flags. Every setting of the
store (--data, --db, --blobs, --master-key) can also be given as an
environment variable (CASEBOOK_DATA, ...) or in a JSON file (--config).
See docs/configuration.md.
`

// usageError is a command-line mistake. Run prints its message on
// standard error unless err is alreadyReported (the flag package prints
// its own).
type usageError struct{ err error }

// alreadyReported marks an error whose message is on standard error.
type alreadyReported struct{ error }

func (e alreadyReported) Unwrap() error { return e.error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// parseFlags parses args into fs, reporting mistakes as a *usageError and
// refusing positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return err
	} else if err != nil {
		return &usageError{alreadyReported{err}}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return &usageError{alreadyReported{fmt.Errorf("unexpected argument %q", fs.Arg(0))}}
	}
	return nil
}

// newLogger returns the program's logger: text (default) or JSON lines on w.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	lvl, err := parseLogLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
	}
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level must be debug, info, warn or error, got %q", s)
}
