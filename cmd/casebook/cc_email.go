package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// ccEmailResult is the --json output of `casebook user cc-email`.
type ccEmailResult struct {
	AccountName string   `json:"account_name"`
	UserName    string   `json:"user_name"`
	CcEmails    []string `json:"cc_emails"`
}

// runCcEmail sets or clears the carbon-copy e-mail addresses of a user
// (ListCaseCcEmails; mails about the user's tickets go to them too).
func (c *UserCommand) runCcEmail(ctx context.Context, args []string) error {
	var account, name, set string
	var clear bool
	fs := c.Main.newFlags("user cc-email", "--account ACCOUNT --user USER (--set ADDR[,ADDR...] | --clear) [--json]",
		"Sets the carbon-copy e-mail addresses of a user, replacing the ones before,\n"+
			"or clears them. The user reads them with ListCaseCcEmails, and the mails about\n"+
			"the tickets they created go to them as well as to the ticket's remind_mail.\n"+
			"At most create_case_ccemail_max_count addresses (see `casebook dictionary`).", storeFlags)
	fs.StringVar(&account, "account", "", "account `name`")
	fs.StringVar(&name, "user", "", "user `name`")
	fs.StringVar(&set, "set", "", "the `addresses`, separated by commas")
	fs.BoolVar(&clear, "clear", false, "remove every address")
	fs.jsonFlag()
	if err := fs.parse(args, "account", "user"); err != nil {
		return err
	}
	if _, err := fs.setOrClear(clear); err != nil {
		return err
	}
	emails := []string{}
	if !clear {
		for _, e := range strings.Split(set, ",") {
			emails = append(emails, strings.TrimSpace(e))
		}
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if err := app.Service.SetUserCcEmails(ctx, account, name, emails); err != nil {
		return fmt.Errorf("set cc e-mails: %w", err)
	}
	out := ccEmailResult{AccountName: account, UserName: name, CcEmails: emails}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		if len(emails) == 0 {
			fmt.Fprintf(w, "cc e-mails of %s cleared\n", name)
			return
		}
		fmt.Fprintf(w, "cc e-mails of %s: %s\n", name, strings.Join(emails, ","))
	})
}
