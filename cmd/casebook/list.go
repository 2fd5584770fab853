package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// The list subcommands of account, user, group and engineer, and the
// engineer's password change.

type accountListed struct {
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	CreatedAt   time.Time `json:"created_at"`
}

func (c *AccountCommand) runList(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("account list", "[--json]", "Lists the customer accounts, oldest first.", storeFlags)
	fs.jsonFlag()
	app, err := c.Main.parseAndOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer app.Close()
	accounts, err := app.Service.ListAccounts(ctx)
	if err != nil {
		return err
	}
	out := convertAll(accounts, func(a *casebook.Account) accountListed {
		return accountListed{AccountID: a.ID, AccountName: a.Name, CreatedAt: a.CreatedAt.UTC()}
	})
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "NAME\tID\tCREATED")
		for _, a := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\n", a.AccountName, a.AccountID, a.CreatedAt.Format(time.RFC3339))
		}
	})
}

type groupRef struct {
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name"`
}

type userRef struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
}

type userListed struct {
	UserID    string     `json:"user_id"`
	UserName  string     `json:"user_name"`
	Master    bool       `json:"master"`
	Enabled   bool       `json:"enabled"`
	CreatedAt time.Time  `json:"created_at"`
	Groups    []groupRef `json:"groups"`
	CcEmails  []string   `json:"cc_emails"`
}

func (c *UserCommand) runList(ctx context.Context, args []string) error {
	var account string
	fs := c.Main.accountListFlags("user list", "Lists the users of an account with their groups.", &account)
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account")
	if err != nil {
		return err
	}
	defer app.Close()
	users, err := app.Service.ListUsers(ctx, account)
	if err != nil {
		return accountError(err, account)
	}
	out := make([]userListed, len(users))
	for i, l := range users {
		u := l.User
		out[i] = userListed{UserID: u.ID, UserName: u.Name, Master: u.IsMaster, Enabled: u.Enabled, CreatedAt: u.CreatedAt.UTC(), Groups: []groupRef{}, CcEmails: l.CcEmails}
		for _, g := range l.Groups {
			out[i].Groups = append(out[i].Groups, groupRef{GroupID: g.ID, GroupName: g.Name})
		}
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "NAME\tID\tROLE\tSTATE\tGROUPS")
		for _, u := range out {
			var names []string
			for _, g := range u.Groups {
				names = append(names, g.GroupName)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.UserName, u.UserID, boolWord(u.Master, "master", "sub-user"),
				boolWord(u.Enabled, "enabled", "disabled"), strings.Join(names, ","))
		}
	})
}

type groupListed struct {
	GroupID   string    `json:"group_id"`
	GroupName string    `json:"group_name"`
	CreatedAt time.Time `json:"created_at"`
	Members   []userRef `json:"members"`
}

func (c *GroupCommand) runList(ctx context.Context, args []string) error {
	var account string
	fs := c.Main.accountListFlags("group list", "Lists the groups of an account with their members.", &account)
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account")
	if err != nil {
		return err
	}
	defer app.Close()
	groups, err := app.Service.ListGroups(ctx, account)
	if err != nil {
		return accountError(err, account)
	}
	out := make([]groupListed, len(groups))
	for i, l := range groups {
		out[i] = groupListed{GroupID: l.Group.ID, GroupName: l.Group.Name, CreatedAt: l.Group.CreatedAt.UTC(), Members: []userRef{}}
		for _, u := range l.Members {
			out[i].Members = append(out[i].Members, userRef{UserID: u.ID, UserName: u.Name})
		}
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "NAME\tID\tMEMBERS")
		for _, g := range out {
			var names []string
			for _, u := range g.Members {
				names = append(names, u.UserName)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", g.GroupName, g.GroupID, strings.Join(names, ","))
		}
	})
}

type engineerListed struct {
	EngineerID   string    `json:"engineer_id"`
	EngineerName string    `json:"engineer_name"`
	Enabled      bool      `json:"enabled"`
	Email        string    `json:"email"` // "" when none
	CreatedAt    time.Time `json:"created_at"`
}

func (c *EngineerCommand) runList(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("engineer list", "[--json]", "Lists the support engineers, oldest first.", storeFlags)
	fs.jsonFlag()
	app, err := c.Main.parseAndOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer app.Close()
	engineers, err := app.Service.ListEngineers(ctx)
	if err != nil {
		return err
	}
	out := convertAll(engineers, func(e *casebook.Engineer) engineerListed {
		return engineerListed{EngineerID: e.ID, EngineerName: e.Name, Enabled: e.Enabled, Email: e.Email, CreatedAt: e.CreatedAt.UTC()}
	})
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "NAME\tID\tSTATE\tEMAIL")
		for _, e := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.EngineerName, e.EngineerID, boolWord(e.Enabled, "enabled", "disabled"), e.Email)
		}
	})
}

func (c *EngineerCommand) runPasswd(ctx context.Context, args []string) error {
	var name string
	var pw passwordFlags
	fs := c.passwordCommandFlags("passwd", "Sets an engineer's password. Tokens issued before stop working.", &name, &pw)
	app, password, err := c.Main.parseAndOpenWithPassword(ctx, fs, &pw, args, "name")
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.Service.SetEngineerPassword(ctx, name, password); casebook.ErrorCode(err) == casebook.ENOTFOUND {
		return fmt.Errorf("engineer %q not found", name)
	} else if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	out := struct {
		EngineerName string `json:"engineer_name"`
		Changed      bool   `json:"password_changed"`
	}{name, true}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "password of engineer %s changed\n", name)
	})
}
