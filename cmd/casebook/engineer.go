package main

import (
	"context"
	"fmt"
	"io"
)

// EngineerCommand administers support engineers:
// `casebook engineer create|disable|enable`.
type EngineerCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *EngineerCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "engineer", args, map[string]func(context.Context, []string) error{
		"create":  c.runCreate,
		"disable": func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, false) },
		"enable":  func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, true) },
		"list":    c.runList,
		"passwd":  c.runPasswd,
	})
}

// engineerResult is the --json output of the engineer commands.
type engineerResult struct {
	EngineerID   string `json:"engineer_id,omitempty"`
	EngineerName string `json:"engineer_name"`
	Enabled      bool   `json:"enabled"`
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
	var name string
	var pw passwordFlags
	fs := c.passwordCommandFlags("create",
		"Creates a support engineer, who works the queue of every account through\nthe support API (/support/v1).", &name, &pw)
	app, password, err := c.Main.parseAndOpenWithPassword(ctx, fs, &pw, args, "name")
	if err != nil {
		return err
	}
	defer app.Close()

	e, err := app.Service.CreateEngineer(ctx, name, password)
	if err != nil {
		return fmt.Errorf("create engineer: %w", err)
	}
	out := engineerResult{EngineerID: e.ID, EngineerName: e.Name, Enabled: true}
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
