package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/casebook/casebook"
)

// DemoCommand loads a small demo dataset and prints how to log in:
// `casebook demo`.
type DemoCommand struct {
	Main *Main
}

// Names of the demo dataset.
const (
	demoAccount  = "demo"
	demoMaster   = "admin"
	demoAlice    = "alice"
	demoBob      = "bob"
	demoGroup    = "ops"
	demoEngineer = "eve"
)

const demoHelp = `Loads a demo dataset into the store: account "demo" with master user "admin",
sub-users "alice" and "bob" in group "ops", support engineer "eve", three
tickets with messages, an attachment, a pending authorization and a granted
one. Then prints how to log in.

Passwords are generated at random and printed once, unless given with the
flags below. If the store already holds the demo account (or engineer "eve"),
nothing is changed and the command fails.`

// demoUser is a login of the demo dataset.
type demoUser struct {
	Name     string `json:"name"`
	ID       string `json:"id"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// demoResult is what demo prints (as JSON with --json).
type demoResult struct {
	BaseURL                string     `json:"base_url"`
	ConsoleURL             string     `json:"console_url"`
	AccountName            string     `json:"account_name"`
	AccountID              string     `json:"account_id"`
	GroupName              string     `json:"group_name"`
	GroupID                string     `json:"group_id"`
	Users                  []demoUser `json:"users"`
	Engineer               demoUser   `json:"engineer"`
	CaseIDs                []string   `json:"case_ids"`
	AccessoryID            string     `json:"accessory_id"`
	PendingAuthorizationID string     `json:"pending_authorization_id"`
	GrantedAuthorizationID string     `json:"granted_authorization_id"`
	TokenCommand           string     `json:"token_command"`
	EngineerTokenCommand   string     `json:"engineer_token_command"`
}

// Run loads the dataset.
func (c *DemoCommand) Run(ctx context.Context, args []string) error {
	passwords := map[string]*string{}
	fs := c.Main.newFlags("demo", "[flags]", demoHelp, allFlags)
	for _, name := range []string{demoMaster, demoAlice, demoBob, demoEngineer} {
		passwords[name] = fs.String(name+"-password", "", "password of "+name+" (default: random, printed once)")
	}
	fs.jsonFlag()
	if err := fs.parse(args); err != nil {
		return err
	}
	for name, p := range passwords {
		if *p == "" {
			*p = randomPassword()
		}
		if err := casebook.ValidatePassword(*p); err != nil {
			return fmt.Errorf("--%s-password: %s", name, casebook.ErrorMessage(err))
		}
	}

	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()
	// Checked before anything is created, so that a refused password
	// leaves no half-loaded demo.
	for name, p := range passwords {
		if err := app.Service.Config.PasswordPolicy.Check(*p, name); err != nil {
			return fmt.Errorf("--%s-password: %s", name, casebook.ErrorMessage(err))
		}
	}

	if err := refuseIfLoaded(ctx, app); err != nil {
		return err
	}
	out, err := loadDemo(ctx, app.Service, func(name string) string { return *passwords[name] })
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	out.BaseURL = publicBaseURL(app.Config)
	out.ConsoleURL = out.BaseURL + "/"
	out.TokenCommand = tokenCurl(out.BaseURL, demoAccount, demoAlice, *passwords[demoAlice])
	out.EngineerTokenCommand = engineerTokenCurl(out.BaseURL, demoEngineer, *passwords[demoEngineer])
	return c.Main.print(fs.JSON, out, func(w io.Writer) { printDemo(w, app.Config, out) })
}

// refuseIfLoaded fails when the demo account or engineer already exists:
// loading twice would either duplicate tickets or fail half-way.
func refuseIfLoaded(ctx context.Context, app *App) error {
	var exists string
	err := app.Store.Read(ctx, func(tx casebook.Tx) error {
		if _, err := tx.FindAccountByName(ctx, demoAccount); err == nil {
			exists = fmt.Sprintf("account %q", demoAccount)
			return nil
		} else if casebook.ErrorCode(err) != casebook.ENOTFOUND {
			return err
		}
		if _, err := tx.FindEngineerByName(ctx, demoEngineer); err == nil {
			exists = fmt.Sprintf("engineer %q", demoEngineer)
			return nil
		} else if casebook.ErrorCode(err) != casebook.ENOTFOUND {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("look for demo data: %w", err)
	}
	if exists != "" {
		return fmt.Errorf("the demo data is already loaded (%s exists in %s); nothing was changed. "+
			"Its passwords were printed when it was loaded; to set a new one: "+
			"casebook user passwd --account %s --name %s --password-stdin (same --data/--db). "+
			"Or load the demo into an empty data directory: casebook demo --data ./demo-data",
			exists, describeDB(app.Config), demoAccount, demoAlice)
	}
	return nil
}

// loadDemo creates the demo dataset through the Service, so it obeys the
// same rules as data created through the API.
func loadDemo(ctx context.Context, svc *casebook.Service, password func(string) string) (*demoResult, error) {
	out := &demoResult{AccountName: demoAccount, GroupName: demoGroup}

	acc, admin, err := svc.CreateAccount(ctx, demoAccount, demoMaster, password(demoMaster))
	if err != nil {
		return nil, fmt.Errorf("create account: %w", err)
	}
	out.AccountID = acc.ID
	out.Users = append(out.Users, demoUser{admin.Name, admin.ID, password(demoMaster), "master user: sees every ticket of the account"})
	group, err := svc.CreateGroup(ctx, demoAccount, demoGroup)
	if err != nil {
		return nil, fmt.Errorf("create group: %w", err)
	}
	out.GroupID = group.ID
	for _, name := range []string{demoAlice, demoBob} {
		u, err := svc.CreateUser(ctx, demoAccount, name, password(name))
		if err != nil {
			return nil, fmt.Errorf("create user %s: %w", name, err)
		}
		if err := svc.AddGroupMember(ctx, demoAccount, group.ID, name); err != nil {
			return nil, fmt.Errorf("add %s to %s: %w", name, demoGroup, err)
		}
		out.Users = append(out.Users, demoUser{u.Name, u.ID, password(name), "sub-user in group " + demoGroup})
	}
	eng, err := svc.CreateEngineer(ctx, demoEngineer, password(demoEngineer))
	if err != nil {
		return nil, fmt.Errorf("create engineer: %w", err)
	}
	out.Engineer = demoUser{eng.Name, eng.ID, password(demoEngineer), "support engineer"}

	// Act as the users, resolved as their tokens would be.
	var pAdmin, pAlice, pBob, pEve *casebook.Principal
	for _, r := range []struct {
		p     **casebook.Principal
		realm casebook.Realm
		id    string
	}{
		{&pAdmin, casebook.RealmCustomer, admin.ID},
		{&pAlice, casebook.RealmCustomer, out.Users[1].ID},
		{&pBob, casebook.RealmCustomer, out.Users[2].ID},
		{&pEve, casebook.RealmEngineer, eng.ID},
	} {
		if *r.p, _, err = svc.ResolvePrincipal(ctx, r.realm, r.id); err != nil {
			return nil, fmt.Errorf("resolve demo user %s: %w", r.id, err)
		}
	}

	// Ticket 1 (alice): a fault report with a log file; eve asks for SSH
	// access and alice grants it for a few hours.
	logFile := []byte("2026/11/23 08:14:02 [error] 1234#0: *5678 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.7, server: shop.example.com, request: \"GET /cart HTTP/1.1\", upstream: \"http://10.0.1.12:8080/cart\"\n")
	acc1, err := svc.UploadAccessory(ctx, pAlice, casebook.UploadInput{
		FileName: "nginx-error.log", ContentType: "text/plain", From: casebook.AccessoryFromIncident, Size: int64(len(logFile)),
	}, bytes.NewReader(logFile))
	if err != nil {
		return nil, fmt.Errorf("upload attachment: %w", err)
	}
	out.AccessoryID = acc1.ID
	case1, err := svc.CreateCase(ctx, pAlice, casebook.CaseInput{
		BusinessTypeID: "2", IncidentSubTypeID: "4", RegionID: "cn-south-1", SeverityID: "2",
		SimpleDescription: "Our web servers return 502 Bad Gateway since this morning's nginx upgrade. The error log is attached.",
		AccessoryIDs:      []string{acc1.ID},
	})
	if err != nil {
		return nil, fmt.Errorf("create ticket: %w", err)
	}
	if _, err := svc.Reply(ctx, pEve, case1.ID, "Thanks, the log shows upstream timeouts towards 10.0.1.12. Could you grant me SSH access to web-01 so I can check the upstream configuration?"); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	granted, err := svc.RequestAuthorization(ctx, pEve, case1.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", ContentTypeID: "1",
		Describe: "SSH access to web-01 to inspect the nginx upstream configuration.",
		Details:  []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-0a1b2c3d4e5f", InstanceName: "web-01", RegionID: "cn-south-1", Port: 22, Account: "root"}},
	})
	if err != nil {
		return nil, fmt.Errorf("request authorization: %w", err)
	}
	start := svc.Now().UTC()
	end := start.Add(min(4*time.Hour, svc.Config.MaxGrantDuration))
	err = svc.ConfirmAuthorization(ctx, pAlice, "", granted.ID, casebook.ConfirmInput{
		Credentials: []casebook.Credential{{DetailID: granted.Details[0].ID, Port: 22, Account: "root", Password: randomPassword()}},
		EffectiveAt: &start,
		ExpireAt:    &end,
	})
	if err != nil {
		return nil, fmt.Errorf("confirm authorization: %w", err)
	}
	out.GrantedAuthorizationID = granted.ID
	if _, err := svc.CreateMessage(ctx, pAlice, "", case1.ID, "Done: you have access to web-01 for the next few hours.", nil); err != nil {
		return nil, fmt.Errorf("create message: %w", err)
	}

	// Ticket 2 (bob): a question; eve asks for console access, which is
	// still pending. alice sees it too through group "ops".
	case2, err := svc.CreateCase(ctx, pBob, casebook.CaseInput{
		BusinessTypeID: "1", IncidentSubTypeID: "1", SeverityID: "3",
		SimpleDescription: "How do we raise the ECS instance quota in cn-south-1? We need 40 more instances before Friday.",
	})
	if err != nil {
		return nil, fmt.Errorf("create ticket: %w", err)
	}
	if _, err := svc.TakeCase(ctx, pEve, case2.ID); err != nil {
		return nil, fmt.Errorf("take ticket: %w", err)
	}
	pending, err := svc.RequestAuthorization(ctx, pEve, case2.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "2", VisitTypeID: "4", ContentTypeID: "3",
		Describe: "Read-only console access to review the quota settings of your account.",
		Details:  []casebook.AuthDetail{{Type: casebook.AuthDetailConsole, InstanceName: "Huawei Cloud console", RegionID: "cn-south-1"}},
	})
	if err != nil {
		return nil, fmt.Errorf("request authorization: %w", err)
	}
	out.PendingAuthorizationID = pending.ID

	// Ticket 3 (admin): not picked up yet.
	case3, err := svc.CreateCase(ctx, pAdmin, casebook.CaseInput{
		BusinessTypeID: "3", IncidentSubTypeID: "6", SeverityID: "4",
		SimpleDescription: "Please send the October invoice to billing@example.com.",
	})
	if err != nil {
		return nil, fmt.Errorf("create ticket: %w", err)
	}
	out.CaseIDs = []string{case1.ID, case2.ID, case3.ID}
	return out, nil
}

// printDemo writes the human-readable instructions.
func printDemo(w io.Writer, cfg Config, out *demoResult) {
	fmt.Fprintf(w, "Demo data loaded into %s.\n\n", describeDB(cfg))
	fmt.Fprintf(w, "Customer account %q (domain id %s), group %q (group id %s):\n", out.AccountName, out.AccountID, out.GroupName, out.GroupID)
	for _, u := range out.Users {
		fmt.Fprintf(w, "  %s\tpassword %s\t%s\n", u.Name, u.Password, u.Role)
	}
	fmt.Fprintf(w, "Support engineer:\n  %s\tpassword %s\n", out.Engineer.Name, out.Engineer.Password)
	fmt.Fprintf(w, "\nThese passwords are not shown again.\n\n")

	fmt.Fprintf(w, "Start the server (if it is not running):\n  casebook serve%s\n\n", serveFlags(cfg))
	fmt.Fprintf(w, "Open the web console in a browser: %s\n", out.ConsoleURL)
	fmt.Fprintf(w, "  customers log in at %slogin with account %q, user %s (or %s, %s) and the password above;\n", out.ConsoleURL, out.AccountName, demoAlice, demoBob, demoMaster)
	fmt.Fprintf(w, "  alice has an access request of %s waiting under Authorizations (switch to group %q).\n", demoEngineer, demoGroup)
	fmt.Fprintf(w, "  the support engineer logs in at %sengineer/login as %s.\n\n", out.ConsoleURL, demoEngineer)
	fmt.Fprintf(w, "Get a token for alice (the X-Subject-Token response header) into $TOKEN:\n  TOKEN=$(%s%s)\n\n", out.TokenCommand, captureToken)
	fmt.Fprintf(w, "List her authorizations and tickets:\n")
	fmt.Fprintf(w, "  curl -s %s/v2/servicerequest/authorizations -H \"X-Auth-Token: $TOKEN\"\n", out.BaseURL)
	fmt.Fprintf(w, "  curl -s %s/v2/servicerequest/cases -H \"X-Auth-Token: $TOKEN\"\n", out.BaseURL)
	fmt.Fprintf(w, "  (add ?group_id=%s to see the tickets of group %s)\n\n", out.GroupID, out.GroupName)
	fmt.Fprintf(w, "Log in as engineer eve (support API):\n  ENGINEER_TOKEN=$(%s%s)\n", out.EngineerTokenCommand, captureToken)
	fmt.Fprintf(w, "  curl -s %s/support/v1/cases -H \"X-Auth-Token: $ENGINEER_TOKEN\"\n", out.BaseURL)
}

// captureToken turns the output of `curl -si` into the token alone.
const captureToken = ` | awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\r'`

// serveFlags returns the flags to repeat in the printed serve command.
func serveFlags(cfg Config) string {
	var s string
	if cfg.Data != DefaultDataDir {
		s += " --data " + shellQuote(cfg.Data)
	}
	if cfg.Addr != DefaultAddr {
		s += " --addr " + shellQuote(cfg.Addr)
	}
	return s
}

// publicBaseURL returns the URL clients reach the server at: --base-url,
// else the listen address (a wildcard host becomes 127.0.0.1).
func publicBaseURL(cfg Config) string {
	if cfg.BaseURL != "" {
		return strings.TrimSuffix(cfg.BaseURL, "/")
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return "http://" + cfg.Addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// tokenCurl returns a curl command that obtains a customer token with the
// Keystone password body of POST /v3/auth/tokens.
func tokenCurl(baseURL, domain, user, password string) string {
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": user, "password": password, "domain": map[string]string{"name": domain},
			}},
		},
		"scope": map[string]any{"domain": map[string]string{"name": domain}},
	}}
	return postCurl(baseURL+"/v3/auth/tokens", body)
}

// engineerTokenCurl returns a curl command that logs an engineer in to the
// support API: the Keystone password body without a domain.
func engineerTokenCurl(baseURL, name, password string) string {
	body := map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods":  []string{"password"},
		"password": map[string]any{"user": map[string]any{"name": name, "password": password}},
	}}}
	return postCurl(baseURL+"/support/v1/auth/tokens", body)
}

func postCurl(url string, body any) string {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return fmt.Sprintf("curl -si -X POST %s -H 'Content-Type: application/json' -d %s", url, shellQuote(string(b)))
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// randomPassword returns 26 random base32 characters (130 bits): safe to
// paste into a shell and a JSON body without quoting.
// randomPassword returns 26 random base32 characters after a prefix that
// holds all four character classes, so that it meets any password policy
// up to 30 characters.
func randomPassword() string { return "Cb-1" + rand.Text() }
