package main

import (
	"context"
	"fmt"
	"io"
)

// UserCommand administers the IAM users of an account:
// `casebook user create|disable|enable|delete|passwd`.
type UserCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *UserCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "user", args, map[string]func(context.Context, []string) error{
		"create":  c.runCreate,
		"disable": func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, false) },
		"enable":  func(ctx context.Context, args []string) error { return c.runSetEnabled(ctx, args, true) },
		"delete":  c.runDelete,
		"passwd":  c.runPasswd,
		"list":    c.runList,
		// The operator's settings of a user (cc_email.go).
		"cc-email": c.runCcEmail,
	})
}

// userResult is the --json output of the user commands.
type userResult struct {
	AccountName string `json:"account_name"`
	UserID      string `json:"user_id,omitempty"`
	UserName    string `json:"user_name"`
	Enabled     *bool  `json:"enabled,omitempty"`
	Deleted     bool   `json:"deleted,omitempty"`
	Changed     bool   `json:"password_changed,omitempty"`
}

// userFlags returns the flag set shared by the user commands.
func (c *UserCommand) userFlags(sub, synopsis, help string, account, name *string) *cmdFlags {
	fs := c.Main.newFlags("user "+sub, "--account ACCOUNT --name USER "+synopsis+"[--json]", help, storeFlags)
	fs.StringVar(account, "account", "", "account `name`")
	fs.StringVar(name, "name", "", "user `name`")
	fs.jsonFlag()
	return fs
}

func (c *UserCommand) runCreate(ctx context.Context, args []string) error {
	var account, name string
	var pw passwordFlags
	fs := c.userFlags("create", "[--password P | --password-stdin] ",
		"Creates an enabled sub-user of an account.\n\n"+passwordHelp, &account, &name)
	pw.register(fs)
	if err := fs.parse(args, "account", "name"); err != nil {
		return err
	}
	app, password, err := c.Main.openWithPassword(ctx, fs, pw)
	if err != nil {
		return err
	}
	defer app.Close()

	u, err := app.Service.CreateUser(ctx, account, name, password)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	enabled := true
	out := userResult{AccountName: account, UserID: u.ID, UserName: u.Name, Enabled: &enabled}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "user\t%s\t%s\n", u.Name, u.ID)
	})
}

func (c *UserCommand) runSetEnabled(ctx context.Context, args []string, enabled bool) error {
	var account, name string
	sub, help := "disable", "Disables a user: their tokens and access keys stop working at once (on\nother replicas within their --principal-cache, 5s by default)."
	if enabled {
		sub, help = "enable", "Enables a disabled user. Tokens issued before the user was disabled stay invalid."
	}
	fs := c.userFlags(sub, "", help, &account, &name)
	if err := fs.parse(args, "account", "name"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.SetUserEnabled(ctx, account, name, enabled); err != nil {
		return fmt.Errorf("%s user: %w", sub, err)
	}
	out := userResult{AccountName: account, UserName: name, Enabled: &enabled}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "user %s %sd\n", name, sub)
	})
}

func (c *UserCommand) runDelete(ctx context.Context, args []string) error {
	var account, name string
	fs := c.userFlags("delete", "", "Deletes a user, their group memberships and access keys. Tickets they\ncreated stay with the account.", &account, &name)
	if err := fs.parse(args, "account", "name"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.DeleteUser(ctx, account, name); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	out := userResult{AccountName: account, UserName: name, Deleted: true}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "user %s deleted\n", name)
	})
}

func (c *UserCommand) runPasswd(ctx context.Context, args []string) error {
	var account, name string
	var pw passwordFlags
	fs := c.userFlags("passwd", "[--password P | --password-stdin] ",
		"Sets a user's password. Tokens issued before stop working.\n\n"+passwordHelp, &account, &name)
	pw.register(fs)
	if err := fs.parse(args, "account", "name"); err != nil {
		return err
	}
	app, password, err := c.Main.openWithPassword(ctx, fs, pw)
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.SetUserPassword(ctx, account, name, password); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	out := userResult{AccountName: account, UserName: name, Changed: true}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "password of %s changed\n", name)
	})
}
