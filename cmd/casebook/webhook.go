package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// WebhookCommand administers the webhook subscriptions of accounts:
// `casebook webhook add|list|remove|deliveries|redeliver` (docs/webhooks.md).
type WebhookCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *WebhookCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "webhook", args, map[string]func(context.Context, []string) error{
		"add":        c.runAdd,
		"list":       c.runList,
		"remove":     c.runRemove,
		"deliveries": c.runDeliveries,
		"redeliver":  c.runRedeliver,
	})
}

// webhookResult is the --json form of a subscription. Secret is set only
// by add: it is never shown again.
type webhookResult struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"` // empty: all
	Secret     string    `json:"secret,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func newWebhookResult(w *casebook.Webhook) webhookResult {
	types := w.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookResult{ID: w.ID, AccountID: w.AccountID, URL: w.URL, EventTypes: types, CreatedAt: w.CreatedAt}
}

// deliveryResult is the --json form of a delivery log entry.
type deliveryResult struct {
	ID          int64      `json:"id"`
	WebhookID   string     `json:"webhook_id"`
	EventID     string     `json:"event_id"`
	EventType   string     `json:"event_type"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	NextAt      *time.Time `json:"next_attempt_at,omitempty"`
	LastStatus  int        `json:"last_status,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

func newDeliveryResult(d *casebook.Delivery) deliveryResult {
	r := deliveryResult{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, State: d.State,
		Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt}
	if d.State == casebook.DeliveryPending {
		r.NextAt = &d.NextAt
	}
	return r
}

func (c *WebhookCommand) flags(sub, synopsis, help string, account *string) *cmdFlags {
	fs := c.Main.newFlags("webhook "+sub, synopsis, help, storeFlags)
	fs.StringVar(account, "account", "", "account `name` (or id)")
	fs.jsonFlag()
	return fs
}

func (c *WebhookCommand) runAdd(ctx context.Context, args []string) error {
	var account, url, events string
	fs := c.flags("add", "--account ACCOUNT --url URL [--events TYPE,...] [--json]",
		"Subscribes an account to events, delivered as signed HTTP POSTs to URL, and prints the\n"+
			"signing secret, which is shown this once (it is stored encrypted).\n"+
			"Event types: "+strings.Join(casebook.EventTypes, ", ")+".\n"+
			"Internal targets (loopback, private, link-local) need --webhook-allow-private.", &account)
	fs.StringVar(&url, "url", "", "target `URL` (http:// or https://)")
	fs.StringVar(&events, "events", "", "comma-separated event `types` (default: all)")
	if err := fs.parse(args, "account", "url"); err != nil {
		return err
	}
	var types []string
	if events != "" {
		types = strings.Split(events, ",")
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()
	w, secret, err := app.Service.CreateWebhook(ctx, account, casebook.WebhookInput{URL: url, EventTypes: types})
	if err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	out := newWebhookResult(w)
	out.Secret = secret
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "id\t%s\n", out.ID)
		fmt.Fprintf(w, "url\t%s\n", out.URL)
		fmt.Fprintf(w, "events\t%s\n", typesText(out.EventTypes))
		fmt.Fprintf(w, "secret\t%s\n", out.Secret)
		fmt.Fprintln(w, "\nThe secret is not shown again: store it with the receiver now.")
	})
}

func typesText(types []string) string {
	if len(types) == 0 {
		return "*"
	}
	return strings.Join(types, ",")
}

func (c *WebhookCommand) runList(ctx context.Context, args []string) error {
	var account string
	fs := c.flags("list", "--account ACCOUNT [--json]", "Lists an account's webhook subscriptions (never their secrets).", &account)
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account")
	if err != nil {
		return err
	}
	defer app.Close()
	ws, err := app.Service.Webhooks(ctx, account)
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	out := convertAll(ws, newWebhookResult)
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tCREATED\tEVENTS\tURL")
		for _, h := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", h.ID, h.CreatedAt.Format(time.RFC3339), typesText(h.EventTypes), h.URL)
		}
	})
}

func (c *WebhookCommand) runRemove(ctx context.Context, args []string) error {
	var account, id string
	fs := c.flags("remove", "--account ACCOUNT --webhook ID [--json]",
		"Removes a subscription and its delivery log; pending deliveries to it are dropped.", &account)
	fs.StringVar(&id, "webhook", "", "webhook `id`")
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account", "webhook")
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.Service.DeleteWebhook(ctx, account, id); err != nil {
		return fmt.Errorf("remove webhook: %w", err)
	}
	return c.Main.print(fs.JSON, map[string]any{"id": id, "removed": true}, func(w io.Writer) {
		fmt.Fprintf(w, "removed\t%s\n", id)
	})
}

func (c *WebhookCommand) runDeliveries(ctx context.Context, args []string) error {
	var account, id, state string
	var limit int
	fs := c.flags("deliveries", "--account ACCOUNT --webhook ID [--state pending|delivered|dead] [--limit N] [--json]",
		"Shows a subscription's delivery log, newest first: state, attempts, last status and error.\n"+
			"Dead letters (state dead) can be sent again with `casebook webhook redeliver`.", &account)
	fs.StringVar(&id, "webhook", "", "webhook `id`")
	fs.StringVar(&state, "state", "", "only deliveries in this `state`")
	fs.IntVar(&limit, "limit", 100, "at most `N` deliveries (1 to 1000)")
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account", "webhook")
	if err != nil {
		return err
	}
	defer app.Close()
	ds, err := app.Service.WebhookDeliveries(ctx, account, id, state, limit)
	if err != nil {
		return fmt.Errorf("list deliveries: %w", err)
	}
	out := convertAll(ds, newDeliveryResult)
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "DELIVERY\tEVENT\tTYPE\tSTATE\tATTEMPTS\tSTATUS\tUPDATED\tERROR")
		for _, d := range out {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.EventID, d.EventType, d.State, d.Attempts,
				d.LastStatus, d.UpdatedAt.Format(time.RFC3339), d.LastError)
		}
	})
}

func (c *WebhookCommand) runRedeliver(ctx context.Context, args []string) error {
	var account string
	var id int64
	fs := c.flags("redeliver", "--account ACCOUNT --delivery ID [--json]",
		"Queues a delivery again now, with a fresh retry budget and the same event id\n"+
			"(a dead letter once its receiver works again, or an event the receiver lost).", &account)
	fs.Int64Var(&id, "delivery", 0, "delivery `id` (from `casebook webhook deliveries`)")
	app, err := c.Main.parseAndOpen(ctx, fs, args, "account", "delivery")
	if err != nil {
		return err
	}
	defer app.Close()
	d, err := app.Service.Redeliver(ctx, account, "", id)
	if err != nil {
		return fmt.Errorf("redeliver: %w", err)
	}
	out := newDeliveryResult(d)
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "queued\t%d\t%s\n", out.ID, out.EventID)
	})
}
