package main

import (
	"context"
	"fmt"
	"io"
)

// AccountCommand administers customer accounts: `casebook account create`.
type AccountCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *AccountCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "account", args, map[string]func(context.Context, []string) error{
		"create": c.runCreate,
		"list":   c.runList,
	})
}

// accountCreated is the --json output of account create.
type accountCreated struct {
	AccountID      string `json:"account_id"`
	AccountName    string `json:"account_name"`
	MasterUserID   string `json:"master_user_id"`
	MasterUserName string `json:"master_user_name"`
}

func (c *AccountCommand) runCreate(ctx context.Context, args []string) error {
	var name, master string
	var pw passwordFlags
	fs := c.Main.newFlags("account create", "--name NAME [--master NAME] [--password P | --password-stdin] [--json]",
		"Creates a customer account (an IAM domain) and its master user, who sees\nevery ticket of the account.\n\n"+passwordHelp, storeFlags)
	fs.StringVar(&name, "name", "", "account `name` (the domain name customers log in with)")
	fs.StringVar(&master, "master", "admin", "`name` of the account's master user")
	pw.register(fs)
	fs.jsonFlag()
	app, password, err := c.Main.parseAndOpenWithPassword(ctx, fs, &pw, args, "name")
	if err != nil {
		return err
	}
	defer app.Close()

	acc, user, err := app.Service.CreateAccount(ctx, name, master, password)
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	out := accountCreated{AccountID: acc.ID, AccountName: acc.Name, MasterUserID: user.ID, MasterUserName: user.Name}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "account\t%s\t%s\n", out.AccountName, out.AccountID)
		fmt.Fprintf(w, "master user\t%s\t%s\n", out.MasterUserName, out.MasterUserID)
	})
}
