package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/casebook/casebook"
)

// cmdFlags is the flag set of one command with the configuration flags
// registered on it, and the --json switch of admin commands.
type cmdFlags struct {
	*flag.FlagSet
	cfg        Config
	configPath string
	names      []string
	group      int
	JSON       bool
	stdout     io.Writer
	stderr     io.Writer
}

// helpRequested reports whether args ask for help before any
// non-flag argument or "--", where the flag package would see it.
func helpRequested(args []string) bool {
	for _, a := range args {
		switch {
		case a == "--" || !strings.HasPrefix(a, "-"):
			return false
		case a == "-h" || a == "--h" || a == "-help" || a == "--help":
			return true
		}
	}
	return false
}

// newFlags returns the flag set of a command. synopsis follows the command
// name in the usage line; help is printed below it.
func (m *Main) newFlags(name, synopsis, help string, group int) *cmdFlags {
	f := &cmdFlags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), cfg: DefaultConfig(), group: group, stdout: m.Stdout, stderr: m.Stderr}
	f.SetOutput(m.Stderr)
	f.names = configFlags(f.FlagSet, &f.cfg, &f.configPath, group)
	f.Usage = func() {
		fmt.Fprintf(f.Output(), "Usage: casebook %s %s\n\n", name, synopsis)
		if help != "" {
			fmt.Fprintf(f.Output(), "%s\n\n", strings.TrimSpace(help))
		}
		fmt.Fprintln(f.Output(), "Flags:")
		f.PrintDefaults()
	}
	return f
}

// jsonFlag adds --json to an admin command.
// setOrClear checks that exactly one of --set and --clear was given (set
// may be given empty), and reports whether --set was.
func (f *cmdFlags) setOrClear(clear bool) (bool, error) {
	given := false
	f.Visit(func(fl *flag.Flag) { given = given || fl.Name == "set" })
	if given == clear {
		f.Usage()
		return false, &usageError{errors.New("give exactly one of --set and --clear")}
	}
	return given, nil
}

func (f *cmdFlags) jsonFlag() {
	f.BoolVar(&f.JSON, "json", false, "print the result as JSON, for scripts")
}

// parse parses args and checks that every flag in required was given.
// Help asked for with -h goes to standard output; mistakes and the usage
// shown with them go to standard error.
func (f *cmdFlags) parse(args []string, required ...string) error {
	if helpRequested(args) {
		f.SetOutput(f.stdout)
		defer f.SetOutput(f.stderr)
	}
	if err := parseFlags(f.FlagSet, args); err != nil {
		return err
	}
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, name := range required {
		if !given[name] {
			f.Usage()
			return &usageError{fmt.Errorf("--%s is required", name)}
		}
	}
	return nil
}

// config returns the effective configuration of a parsed command.
func (m *Main) config(f *cmdFlags) (Config, error) {
	return loadConfig(f.FlagSet, f.names, f.configPath, m.Getenv, f.group)
}

// open loads the configuration of a parsed command and opens the App.
func (m *Main) open(ctx context.Context, f *cmdFlags) (*App, error) {
	cfg, err := m.config(f)
	if err != nil {
		return nil, err
	}
	logger, err := newLogger(m.Stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	return OpenApp(ctx, cfg, logger)
}

// parseAndOpen parses a command's args, checks that every flag in required
// was given, and opens the App.
func (m *Main) parseAndOpen(ctx context.Context, f *cmdFlags, args []string, required ...string) (*App, error) {
	if err := f.parse(args, required...); err != nil {
		return nil, err
	}
	return m.open(ctx, f)
}

// openWithPassword reads the password a parsed command was given, then
// opens the App: a missing password fails before the store is touched.
func (m *Main) openWithPassword(ctx context.Context, f *cmdFlags, p passwordFlags) (*App, string, error) {
	password, err := m.password(p)
	if err != nil {
		return nil, "", err
	}
	app, err := m.open(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return app, password, nil
}

// parseAndOpenWithPassword parses a command's args, checks that every flag
// in required was given, and goes on as openWithPassword. p is read after
// parsing, which fills it.
func (m *Main) parseAndOpenWithPassword(ctx context.Context, f *cmdFlags, p *passwordFlags, args []string, required ...string) (*App, string, error) {
	if err := f.parse(args, required...); err != nil {
		return nil, "", err
	}
	return m.openWithPassword(ctx, f, *p)
}

// passwordFlags are the ways a command takes a password. The flag is the
// least safe (shell history, process list), hence the alternatives.
type passwordFlags struct {
	value string
	stdin bool
}

const passwordHelp = `The password may be given with --password, in the environment variable
CASEBOOK_PASSWORD, or on the first line of standard input with
--password-stdin; the last two keep it out of shell history.`

func (p *passwordFlags) register(fs *cmdFlags) {
	fs.StringVar(&p.value, "password", "", "the `password` (visible in shell history: prefer CASEBOOK_PASSWORD or --password-stdin)")
	fs.BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of standard input")
}

// password returns the password given by --password-stdin, --password or
// CASEBOOK_PASSWORD, in that order.
func (m *Main) password(p passwordFlags) (string, error) {
	if p.stdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", errors.New("--password-stdin: standard input is empty")
		}
		return line, nil
	}
	if p.value != "" {
		return p.value, nil
	}
	if v := m.Getenv(EnvPrefix + "PASSWORD"); v != "" {
		return v, nil
	}
	return "", errors.New("no password: use --password, CASEBOOK_PASSWORD or --password-stdin")
}

// accountListFlags are the flags of a list of one account's members:
// --account and --json.
func (m *Main) accountListFlags(name, help string, account *string) *cmdFlags {
	fs := m.newFlags(name, "--account ACCOUNT [--json]", help, storeFlags)
	fs.StringVar(account, "account", "", "account `name`")
	fs.jsonFlag()
	return fs
}

// accountError names the account an ENOTFOUND is about.
func accountError(err error, account string) error {
	if casebook.ErrorCode(err) == casebook.ENOTFOUND {
		return fmt.Errorf("account %q not found", account)
	}
	return err
}

// convertAll converts each of items into its output form.
func convertAll[T, R any](items []T, convert func(T) R) []R {
	out := make([]R, len(items))
	for i, it := range items {
		out[i] = convert(it)
	}
	return out
}

// print writes v as indented JSON when asJSON is set, else calls text.
func (m *Main) print(asJSON bool, v any, text func(w io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// subcommands dispatches args[0] to one of cmds, printing the list of
// subcommands when it is missing or unknown.
func (m *Main) subcommands(ctx context.Context, name string, args []string, cmds map[string]func(context.Context, []string) error) error {
	if len(args) > 0 {
		if run, ok := cmds[args[0]]; ok {
			return run(ctx, args[1:])
		}
	}
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	usage := fmt.Sprintf("Usage: casebook %s <%s> [flags]\n\nRun \"casebook %s <subcommand> -h\" for its flags.\n", name, strings.Join(names, "|"), name)
	switch {
	case len(args) == 0:
		fmt.Fprint(m.Stderr, usage)
		return &usageError{fmt.Errorf("%s: no subcommand given", name)}
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(m.Stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprint(m.Stderr, usage)
		return &usageError{fmt.Errorf("%s: unknown subcommand %q", name, args[0])}
	}
}

// findUser returns a user of an account, named by name or id.
func findUser(ctx context.Context, store casebook.Store, accountName, user string) (*casebook.Account, *casebook.User, error) {
	var acc *casebook.Account
	var u *casebook.User
	err := store.Read(ctx, func(tx casebook.Tx) error {
		var err error
		if acc, err = tx.FindAccountByName(ctx, accountName); err != nil {
			return err
		}
		u, err = tx.FindUserByName(ctx, acc.ID, user)
		if casebook.ErrorCode(err) == casebook.ENOTFOUND {
			if byID, err2 := tx.FindUserByID(ctx, user); err2 == nil && byID.AccountID == acc.ID {
				u, err = byID, nil
			}
		}
		return err
	})
	if casebook.ErrorCode(err) == casebook.ENOTFOUND {
		if acc == nil {
			return nil, nil, fmt.Errorf("account %q not found", accountName)
		}
		return nil, nil, fmt.Errorf("user %q not found in account %q", user, accountName)
	}
	return acc, u, err
}

// boolWord prints enabled flags in tables.
func boolWord(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
