package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/casebook/casebook"
)

// AccessKeyCommand administers the AK/SK pairs of users, which the Huawei
// SDKs sign requests with: `casebook accesskey create|list|disable|enable|delete`.
type AccessKeyCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *AccessKeyCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "accesskey", args, map[string]func(context.Context, []string) error{
		"create":  c.runCreate,
		"list":    c.runList,
		"disable": func(ctx context.Context, args []string) error { return c.runChange(ctx, args, "disable") },
		"enable":  func(ctx context.Context, args []string) error { return c.runChange(ctx, args, "enable") },
		"delete":  func(ctx context.Context, args []string) error { return c.runChange(ctx, args, "delete") },
	})
}

// accessKeyResult is the --json form of an access key. SecretKey is set
// only by create: the secret is never shown again.
type accessKeyResult struct {
	AccessKey   string     `json:"access_key"`
	SecretKey   string     `json:"secret_key,omitempty"`
	AccountID   string     `json:"account_id,omitempty"`
	AccountName string     `json:"account_name,omitempty"`
	UserID      string     `json:"user_id,omitempty"`
	UserName    string     `json:"user_name,omitempty"`
	Enabled     bool       `json:"enabled"`
	Description string     `json:"description,omitempty"`
	Deleted     bool       `json:"deleted,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
}

func (c *AccessKeyCommand) userFlags(sub, synopsis, help string, account, user *string) *cmdFlags {
	fs := c.Main.newFlags("accesskey "+sub, synopsis, help, storeFlags)
	fs.StringVar(account, "account", "", "account `name`")
	fs.StringVar(user, "user", "", "user `name` (or id)")
	fs.jsonFlag()
	return fs
}

func (c *AccessKeyCommand) runCreate(ctx context.Context, args []string) error {
	var account, user, description string
	fs := c.userFlags("create", "--account ACCOUNT --user USER [--description TEXT] [--json]",
		fmt.Sprintf("Creates an access key (AK) and secret key (SK) for a user and prints both.\nThe SK is shown this once; it is stored encrypted. A user has at most %d keys.", casebook.MaxAccessKeysPerUser),
		&account, &user)
	fs.StringVar(&description, "description", "", fmt.Sprintf("a note on the key (at most %d characters)", casebook.MaxAccessKeyDescription))
	if err := fs.parse(args, "account", "user"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	acc, u, err := findUser(ctx, app.Store, account, user)
	if err != nil {
		return err
	}
	key, secret, err := app.Service.CreateAccessKey(ctx, u.ID, description)
	if err != nil {
		return fmt.Errorf("create access key: %w", err)
	}
	out := accessKeyResult{
		AccessKey: key.ID, SecretKey: secret,
		AccountID: acc.ID, AccountName: acc.Name, UserID: u.ID, UserName: u.Name,
		Enabled: key.Enabled, Description: key.Description, CreatedAt: &key.CreatedAt,
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "access_key\t%s\n", out.AccessKey)
		fmt.Fprintf(w, "secret_key\t%s\n", out.SecretKey)
		fmt.Fprintf(w, "domain_id\t%s\n", out.AccountID)
		fmt.Fprintln(w, "\nThe secret key is not shown again: store it now.")
	})
}

func (c *AccessKeyCommand) runList(ctx context.Context, args []string) error {
	var account, user string
	fs := c.userFlags("list", "--account ACCOUNT --user USER [--json]",
		"Lists a user's access keys (never their secrets).", &account, &user)
	if err := fs.parse(args, "account", "user"); err != nil {
		return err
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	acc, u, err := findUser(ctx, app.Store, account, user)
	if err != nil {
		return err
	}
	keys, err := app.Service.ListAccessKeys(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("list access keys: %w", err)
	}
	out := make([]accessKeyResult, len(keys))
	for i, k := range keys {
		out[i] = accessKeyResult{
			AccessKey: k.ID, AccountID: acc.ID, AccountName: acc.Name, UserID: u.ID, UserName: u.Name,
			Enabled: k.Enabled, Description: k.Description, CreatedAt: &k.CreatedAt,
		}
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintln(w, "ACCESS KEY\tSTATUS\tCREATED\tDESCRIPTION")
		for _, k := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.AccessKey, boolWord(k.Enabled, "enabled", "disabled"), k.CreatedAt.Format(time.RFC3339), k.Description)
		}
	})
}

// runChange disables, enables or deletes one access key. The AK is enough
// to find it (an operator reacting to a leaked key may know nothing else);
// --account and --user, when given, must match its owner.
func (c *AccessKeyCommand) runChange(ctx context.Context, args []string, sub string) error {
	var account, user, ak string
	help := map[string]string{
		"disable": "Disables an access key: requests signed with it are refused.",
		"enable":  "Enables a disabled access key.",
		"delete":  "Deletes an access key for good.",
	}[sub]
	fs := c.userFlags(sub, "--access-key AK [--account ACCOUNT --user USER] [--json]", help, &account, &user)
	fs.StringVar(&ak, "access-key", "", "the access key `AK`")
	if err := fs.parse(args, "access-key"); err != nil {
		return err
	}
	if (account == "") != (user == "") {
		missing := "--user"
		if account == "" {
			missing = "--account"
		}
		fs.Usage()
		return &usageError{fmt.Errorf("%s is missing: --account and --user go together", missing)}
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	var key *casebook.AccessKey
	err = app.Store.Read(ctx, func(tx casebook.Tx) error {
		var err error
		key, err = tx.FindAccessKey(ctx, ak)
		return err
	})
	if casebook.ErrorCode(err) == casebook.ENOTFOUND {
		return fmt.Errorf("access key %q not found", ak)
	} else if err != nil {
		return fmt.Errorf("find access key: %w", err)
	}
	if account != "" {
		_, u, err := findUser(ctx, app.Store, account, user)
		if err != nil {
			return err
		}
		if u.ID != key.UserID {
			return fmt.Errorf("access key %q does not belong to user %q of account %q", ak, user, account)
		}
	}

	out := accessKeyResult{AccessKey: ak, UserID: key.UserID, AccountID: key.AccountID}
	switch sub {
	case "delete":
		err = app.Service.DeleteAccessKey(ctx, key.UserID, ak)
		out.Deleted = true
	default:
		out.Enabled = sub == "enable"
		err = app.Service.SetAccessKeyEnabled(ctx, key.UserID, ak, out.Enabled)
	}
	if err != nil {
		return fmt.Errorf("%s access key: %w", sub, err)
	}
	return c.Main.print(fs.JSON, out, func(w io.Writer) {
		fmt.Fprintf(w, "access key %s %sd\n", ak, sub)
	})
}
