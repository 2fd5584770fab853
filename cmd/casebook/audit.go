package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/casebook/casebook"
)

// AuditCommand reads the append-only audit log: `casebook audit list`.
type AuditCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *AuditCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "audit", args, map[string]func(context.Context, []string) error{
		"list": c.runList,
	})
}

// auditEvent is the --json form of an audit event.
type auditEvent struct {
	ID              int64     `json:"id"`
	At              time.Time `json:"at"`
	ActorRealm      string    `json:"actor_realm"`
	ActorID         string    `json:"actor_id"`
	ActorName       string    `json:"actor_name"`
	Action          string    `json:"action"`
	AccountID       string    `json:"account_id,omitempty"`
	CaseID          string    `json:"case_id,omitempty"`
	AuthorizationID string    `json:"authorization_id,omitempty"`
	Detail          string    `json:"detail,omitempty"`
}

func (c *AuditCommand) runList(ctx context.Context, args []string) error {
	var f casebook.AuditFilter
	var account string
	fs := c.Main.newFlags("audit list", "[--authorization ID] [--account NAME] [--limit N] [--json]",
		"Lists audit events, newest first: grants confirmed and ended, credentials\nread by engineers and destroyed. The log never holds the secrets.", storeFlags)
	fs.StringVar(&f.AuthorizationID, "authorization", "", "only events of this authorization `id`")
	fs.StringVar(&account, "account", "", "only events of this account `name`")
	fs.StringVar(&f.ActorID, "actor", "", "only events by this user or engineer `id`")
	fs.IntVar(&f.Limit, "limit", 100, "at most `N` events")
	fs.jsonFlag()
	if err := fs.parse(args); err != nil {
		return err
	}
	if f.Limit < 1 {
		fs.Usage()
		return &usageError{fmt.Errorf("--limit must be at least 1, got %d", f.Limit)}
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	if account != "" {
		err := app.Store.Read(ctx, func(tx casebook.Tx) error {
			acc, err := tx.FindAccountByName(ctx, account)
			if err != nil {
				return err
			}
			f.AccountID = acc.ID
			return nil
		})
		if casebook.ErrorCode(err) == casebook.ENOTFOUND {
			return fmt.Errorf("account %q not found", account)
		} else if err != nil {
			return fmt.Errorf("find account: %w", err)
		}
	}
	events, err := app.Service.FindAudit(ctx, f)
	if err != nil {
		return fmt.Errorf("list audit events: %w", err)
	}
	out := make([]auditEvent, len(events))
	for i, e := range events {
		out[i] = auditEvent{
			ID: e.ID, At: e.At.UTC(), ActorRealm: string(e.ActorRealm), ActorID: e.ActorID, ActorName: e.ActorName,
			Action: e.Action, AccountID: e.AccountID, CaseID: e.CaseID, AuthorizationID: e.AuthorizationID, Detail: e.Detail,
		}
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "TIME\tACTION\tACTOR\tCASE\tAUTHORIZATION\tDETAIL")
		for _, e := range out {
			fmt.Fprintf(w, "%s\t%s\t%s:%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), e.Action, e.ActorRealm, e.ActorName, e.CaseID, e.AuthorizationID, e.Detail)
		}
	})
}
