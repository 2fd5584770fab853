package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// EngineerCommand administers support engineers:
// `casebook engineer create|disable|enable|email|list|passwd`.
type EngineerCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *EngineerCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "engineer", args, map[string]func(context.Context, []string) error{
		"create":  c.runCreate,
		"disable": func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, false) },
		"enable":  func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, true) },
		"email":   c.runEmail,
		"list":    c.runList,
		"passwd":  c.runPasswd,
	})
}

// engineerResult is the --json output of the engineer commands.
type engineerResult struct {
	EngineerID   string `json:"engineer_id,omitempty"`
	EngineerName string `json:"engineer_name"`
	Enabled      bool   `json:"enabled"`
	Email        string `json:"email,omitempty"`
}

// passwordCommandFlags are the flags of an engineer command that sets a
// password: --name, the password's and --json.
func (c *EngineerCommand) passwordCommandFlags(sub, help string, name *string, pw *passwordFlags) *cmdFlags {
	fs := c.Main.newFlags("engineer "+sub, "--name NAME [--password P | --password-stdin] [--json]", help+"\n\n"+passwordHelp, storeFlags)
	fs.StringVar(name, "name", "", "engineer `name`")
	pw.register(fs)
	fs.jsonFlag()
	return fs
}

func (c *EngineerCommand) runCreate(ctx context.Context, args []string) error {
	var name, email string
	var pw passwordFlags
	fs := c.passwordCommandFlags("create",
		"Creates a support engineer, who works the queue of every account through\nthe support API (/support/v1). With --email, the mails about new tickets\nand about grants made to them go to that address.", &name, &pw)
	fs.StringVar(&email, "email", "", "the engineer's e-mail `address` (optional)")
	app, password, err := c.Main.parseAndOpenWithPassword(ctx, fs, &pw, args, "name")
	if err != nil {
		return err
	}
	defer app.Close()

	e, err := app.Service.CreateEngineerWithEmail(ctx, name, password, email)
	if err != nil {
		return fmt.Errorf("create engineer: %w", err)
	}
	out := engineerResult{EngineerID: e.ID, EngineerName: e.Name, Enabled: true, Email: e.Email}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "engineer\t%s\t%s\n", e.Name, e.ID)
	})
}

func (c *EngineerCommand) runSetEnabled(ctx context.Context, args []string, enabled bool) error {
	var name string
	sub, help := "disable", "Disables an engineer: their tokens stop working and they can no longer\nread credentials."
	if enabled {
		sub, help = "enable", "Enables a disabled engineer."
	}
	fs := c.Main.newFlags("engineer "+sub, "--name NAME [--json]", help, storeFlags)
	fs.StringVar(&name, "name", "", "engineer `name`")
	fs.jsonFlag()
	app, err := c.Main.parseAndOpen(ctx, fs, args, "name")
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.SetEngineerEnabled(ctx, name, enabled); err != nil {
		return fmt.Errorf("%s engineer: %w", sub, err)
	}
	out := engineerResult{EngineerName: name, Enabled: enabled}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "engineer %s %sd\n", name, sub)
	})
}

// runEmail sets or clears an engineer's e-mail address.
func (c *EngineerCommand) runEmail(ctx context.Context, args []string) error {
	var name, set string
	var clear bool
	fs := c.Main.newFlags("engineer email", "--name NAME (--set ADDRESS | --clear) [--json]",
		"Sets the e-mail address of an engineer, or clears it. The mails about new\n"+
			"tickets in the queue and about grants made to the engineer go to it.", storeFlags)
	fs.StringVar(&name, "name", "", "engineer `name`")
	fs.StringVar(&set, "set", "", "the `address`")
	fs.BoolVar(&clear, "clear", false, "remove the address")
	fs.jsonFlag()
	if err := fs.parse(args, "name"); err != nil {
		return err
	}
	given, err := fs.setOrClear(clear)
	if err != nil {
		return err
	}
	if given && set == "" {
		return &usageError{errors.New("--set needs an address; use --clear to remove it")}
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.SetEngineerEmail(ctx, name, set); err != nil {
		return fmt.Errorf("set engineer e-mail: %w", err)
	}
	out := struct {
		EngineerName string `json:"engineer_name"`
		Email        string `json:"email"`
	}{name, set}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		if set == "" {
			fmt.Fprintf(w, "e-mail of engineer %s cleared\n", name)
			return
		}
		fmt.Fprintf(w, "e-mail of engineer %s: %s\n", name, set)
	})
}
