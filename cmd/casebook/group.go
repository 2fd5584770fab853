package main

import (
	"context"
	"fmt"
	"io"
)

// GroupCommand administers user groups:
// `casebook group create|add-member|remove-member`.
type GroupCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *GroupCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "group", args, map[string]func(context.Context, []string) error{
		"create":        c.runCreate,
		"list":          c.runList,
		"add-member":    func(ctx context.Context, args []string) error { return c.runMember(ctx, args, true) },
		"remove-member": func(ctx context.Context, args []string) error { return c.runMember(ctx, args, false) },
	})
}

// groupResult is the --json output of the group commands.
type groupResult struct {
	AccountName string `json:"account_name"`
	GroupID     string `json:"group_id,omitempty"`
	GroupName   string `json:"group_name"`
	UserName    string `json:"user_name,omitempty"`
	Member      *bool  `json:"member,omitempty"`
}

func (c *GroupCommand) runCreate(ctx context.Context, args []string) error {
	var account, name string
	fs := c.Main.newFlags("group create", "--account ACCOUNT --name GROUP [--json]",
		"Creates a user group. Members see each other's tickets and authorizations\nwhen a request names the group's id (group_id).", storeFlags)
	fs.StringVar(&account, "account", "", "account `name`")
	fs.StringVar(&name, "name", "", "group `name`")
	fs.jsonFlag()
	if err := fs.parse(args, "account", "name"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	g, err := app.Service.CreateGroup(ctx, account, name)
	if err != nil {
		return fmt.Errorf("create group: %w", err)
	}
	out := groupResult{AccountName: account, GroupID: g.ID, GroupName: g.Name}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "group\t%s\t%s\n", g.Name, g.ID)
	})
}

func (c *GroupCommand) runMember(ctx context.Context, args []string, add bool) error {
	var account, group, user string
	sub, help := "remove-member", "Removes a user from a group. Takes effect on the next request (other\nreplicas: within the principal cache time, 5s)."
	if add {
		sub, help = "add-member", "Adds a user to a group (idempotent)."
	}
	fs := c.Main.newFlags("group "+sub, "--account ACCOUNT --group GROUP --user USER [--json]", help, storeFlags)
	fs.StringVar(&account, "account", "", "account `name`")
	fs.StringVar(&group, "group", "", "group `name or id`")
	fs.StringVar(&user, "user", "", "user `name`")
	fs.jsonFlag()
	if err := fs.parse(args, "account", "group", "user"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if add {
		err = app.Service.AddGroupMember(ctx, account, group, user)
	} else {
		err = app.Service.RemoveGroupMember(ctx, account, group, user)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", sub, err)
	}
	out := groupResult{AccountName: account, GroupName: group, UserName: user, Member: &add}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		if add {
			fmt.Fprintf(w, "%s added to %s\n", user, group)
		} else {
			fmt.Fprintf(w, "%s removed from %s\n", user, group)
		}
	})
}
