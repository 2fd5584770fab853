package main_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// metricValue returns the value of the series named by line prefix
// series (name with labels) in a Prometheus text exposition, or -1.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(l, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return v
		}
	}
	return -1
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	res, body := do(t, "GET", url, "", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, res.StatusCode, body)
	}
	return body
}

func TestMetrics(t *testing.T) {
	data := t.TempDir()
	e := env{"CASEBOOK_DATA": data}
	// The demo dataset holds one attachment and one grant in force.
	var demo struct {
		AccountName string `json:"account_name"`
		Users       []struct{ Name, Password string }
	}
	mustRunJSON(t, e, &demo, "demo")
	srv := startServer(t, e, nil)

	for range 3 {
		do(t, "GET", srv.URL+"/healthz", "", nil)
	}
	do(t, "GET", srv.URL+"/v2/servicerequest/cases", "", nil) // 401
	do(t, "GET", srv.URL+"/v2/servicerequest/cases", "", nil)
	do(t, "GET", srv.URL+"/v2/servicerequest/no-such-thing", "", nil)
	tok := customerToken(t, srv.URL, demo.AccountName, demo.Users[0].Name, demo.Users[0].Password)
	res, _ := do(t, "GET", srv.URL+"/v2/servicerequest/cases", "", http.Header{"X-Auth-Token": {tok}})
	if res.StatusCode != 200 {
		t.Fatalf("ListCases: %d", res.StatusCode)
	}

	body := scrape(t, srv.URL+"/metrics")
	var size int64
	filepath.Walk(filepath.Join(data, "blobs"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			size += fi.Size()
		}
		return nil
	})
	for series, want := range map[string]float64{
		`casebook_http_requests_total{operation="Healthz",status="200"}`:                           3,
		`casebook_http_requests_total{operation="ListCases",status="401"}`:                         2,
		`casebook_http_requests_total{operation="ListCases",status="200"}`:                         1,
		`casebook_http_requests_total{operation="NotFound",status="404"}`:                          1,
		`casebook_http_requests_total{operation="KeystoneCreateUserTokenByPassword",status="201"}`: 1,
		`casebook_http_request_duration_seconds_count{operation="Healthz"}`:                        3,
		`casebook_http_request_duration_seconds_count{operation="ListCases"}`:                      3,
		`casebook_grants_in_force`:                               1,
		`casebook_attachments`:                                   1,
		`casebook_attachment_bytes`:                              float64(size),
		`casebook_store_stats_up`:                                1,
		`casebook_notifications{channel="webhook",state="dead"}`: 0,
		`casebook_notifications{channel="mail",state="dead"}`:    0,
		`casebook_sweeper_runs_total{result="error"}`:            0,
		`go_sql_max_open_connections{db_name="writer"}`:          1,
	} {
		if got := metricValue(t, body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if size == 0 {
		t.Error("the demo's attachment is empty: the bytes check proves nothing")
	}
	for _, series := range []string{
		`casebook_sweeper_runs_total{result="ok"}`,
		`casebook_sweeper_grants_expired_total`,
		`casebook_outbox_events`,
		`casebook_notifications{channel="webhook",state="pending"}`,
		`go_sql_open_connections{db_name="reader"}`,
		`go_sql_wait_count_total{db_name="writer"}`,
		`casebook_http_request_duration_seconds_bucket{operation="Healthz",le="+Inf"}`,
	} {
		if metricValue(t, body, series) < 0 {
			t.Errorf("no series %s", series)
		}
	}
	if metricValue(t, body, `casebook_sweeper_runs_total{result="ok"}`) < 1 {
		t.Error("the sweeper's first run is not counted")
	}
	if !regexp.MustCompile(`casebook_build_info\{commit="[^"]+",goversion="` + regexp.QuoteMeta(runtime.Version()) + `",version="[^"]+"\} 1`).MatchString(body) {
		t.Errorf("no casebook_build_info with the Go version")
	}
	// Tokens and passwords never reach the metrics.
	if strings.Contains(body, tok) || strings.Contains(body, demo.Users[0].Password) {
		t.Error("a secret in /metrics")
	}
}

func TestMetrics_SeparateAddr(t *testing.T) {
	e := env{"CASEBOOK_DATA": t.TempDir()}
	srv := startServer(t, e, nil, "--metrics-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`metrics_addr=(\S+)`).FindStringSubmatch(srv.Stderr.String())
	if m == nil {
		t.Fatalf("the start-up line names no metrics address:\n%s", srv.Stderr)
	}
	do(t, "GET", srv.URL+"/healthz", "", nil)
	body := scrape(t, "http://"+m[1]+"/metrics")
	if got := metricValue(t, body, `casebook_http_requests_total{operation="Healthz",status="200"}`); got != 1 {
		t.Errorf("Healthz count on the metrics listener = %v, want 1", got)
	}
	res, body := do(t, "GET", srv.URL+"/metrics", "", nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "error_code") {
		t.Errorf("/metrics on the main listener with --metrics-addr: %d %s", res.StatusCode, body)
	}

	off := startServer(t, env{"CASEBOOK_DATA": t.TempDir()}, nil, "--metrics-addr", "none")
	if res, _ := do(t, "GET", off.URL+"/metrics", "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics with --metrics-addr none: %d", res.StatusCode)
	}
	if _, err := run(t, env{}, "serve", "--metrics-addr", "9090"); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("--metrics-addr 9090: %v", err)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out := mustRun(t, env{}, args...)
		if !strings.Contains(out, "version ") || !strings.Contains(out, "commit ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("casebook %v printed %q", args, out)
		}
	}
	var v struct {
		Version   string `json:"version"`
		Commit    string `json:"commit"`
		GoVersion string `json:"go_version"`
	}
	mustRunJSON(t, env{}, &v, "version")
	if v.Version == "" || v.Commit == "" || v.GoVersion != runtime.Version() {
		t.Errorf("version --json: %+v", v)
	}
	if _, err := run(t, env{}, "version", "extra"); err == nil {
		t.Error("version extra: no error")
	}

	srv := startServer(t, env{"CASEBOOK_DATA": t.TempDir()}, nil)
	_, body := do(t, "GET", srv.URL+"/healthz", "", nil)
	var h struct {
		Status, Version, Commit string
		GoVersion               string `json:"go_version"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Status != "ok" || h != (struct {
		Status, Version, Commit string
		GoVersion               string `json:"go_version"`
	}{"ok", v.Version, v.Commit, v.GoVersion}) {
		t.Errorf("/healthz = %s, want status ok and %+v", body, v)
	}
	if !strings.Contains(srv.Stderr.String(), "go="+runtime.Version()) || !strings.Contains(srv.Stderr.String(), "version=") {
		t.Errorf("the start-up line lacks the build:\n%s", srv.Stderr)
	}
}

func TestServe_TestControls(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		srv := startServer(t, env{"CASEBOOK_DATA": t.TempDir()}, nil)
		for _, r := range [][2]string{{"POST", "/testing/v1/reset"}, {"GET", "/testing/v1/clock"}, {"POST", "/testing/v1/clock"}} {
			res, body := do(t, r[0], srv.URL+r[1], `{"advance":"1h"}`, nil)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error_code"`) {
				t.Errorf("%s %s without --test-controls: %d %s", r[0], r[1], res.StatusCode, body)
			}
		}
	})
	t.Run("On", func(t *testing.T) {
		data := t.TempDir()
		e := env{"CASEBOOK_DATA": data}
		var demo struct {
			AccountName string `json:"account_name"`
			Users       []struct{ Name, Password string }
		}
		mustRunJSON(t, e, &demo, "demo")
		srv := startServer(t, e, nil, "--test-controls", "--principal-cache", "0s")
		if !strings.Contains(srv.Stderr.String(), "test controls are enabled") {
			t.Error("no warning that test controls are on")
		}
		tok := customerToken(t, srv.URL, demo.AccountName, demo.Users[1].Name, demo.Users[1].Password)
		before := listAuthorizations(t, srv.URL, tok, "")

		res, body := do(t, "POST", srv.URL+"/testing/v1/clock", `{"advance":"8h"}`, nil)
		if res.StatusCode != 200 || !strings.Contains(body, `"offset":"8h0m0s"`) {
			t.Fatalf("advance: %d %s", res.StatusCode, body)
		}
		// The demo's grant (a few hours) has ended: the token (24h) still works.
		after := listAuthorizations(t, srv.URL, tok, "")
		if statuses(before) == statuses(after) {
			t.Errorf("no authorization changed status after 8h: %s", statuses(after))
		}
		if !strings.Contains(statuses(after), "3") {
			t.Errorf("no expired (3) authorization after 8h: %s", statuses(after))
		}
		res, body = do(t, "POST", srv.URL+"/testing/v1/clock", `{"advance":"17h"}`, nil)
		if res.StatusCode != 200 {
			t.Fatalf("advance: %d %s", res.StatusCode, body)
		}
		if res, _ := do(t, "GET", srv.URL+"/v2/servicerequest/cases", "", http.Header{"X-Auth-Token": {tok}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a 24h token 25h later: %d, want 401", res.StatusCode)
		}

		if res, body := do(t, "POST", srv.URL+"/testing/v1/reset", "", nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("reset: %d %s", res.StatusCode, body)
		}
		if got := loginStatus(t, srv.URL, demo.AccountName, demo.Users[1].Name, demo.Users[1].Password); got != http.StatusUnauthorized {
			t.Errorf("login after reset: %d, want 401", got)
		}
		_, body = do(t, "GET", srv.URL+"/testing/v1/clock", "", nil)
		if !strings.Contains(body, `"offset":"0s"`) {
			t.Errorf("clock after reset: %s", body)
		}
		// The demo loads again into the emptied store.
		mustRun(t, e, "demo")
	})
}

// statuses lists the status of every authorization of a list response.
func statuses(list map[string]any) string {
	var s []string
	items, _ := list["incident_auth_list"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		s = append(s, strconv.Itoa(int(toFloat(m["status"]))))
	}
	return strings.Join(s, ",")
}

func toFloat(v any) float64 { f, _ := v.(float64); return f }

// TestUsageErrors: every mistake is named on standard error and exits
// with an error; help goes to standard output.
func TestUsageErrors(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{}, "no command given"},
		{[]string{"audit", "list", "--data", data, "--limit", "0"}, "--limit must be at least 1"},
		{[]string{"accesskey", "disable", "--data", data, "--access-key", "AK", "--account", "acme"}, "--user is missing"},
		{[]string{"accesskey", "disable", "--data", data, "--access-key", "AK", "--user", "alice"}, "--account is missing"},
		{[]string{"user"}, "user: no subcommand given"},
		{[]string{"user", "frob"}, `unknown subcommand "frob"`},
		{[]string{"user", "create", "--account", "a"}, "--name is required"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"backup"}, "FILE is required"},
		{[]string{"backup", "a", "b"}, `unexpected argument "b"`},
		{[]string{"restore"}, "FILE is required"},
		{[]string{"account", "list", "--data", data, "extra"}, `unexpected argument "extra"`},
	} {
		m, stdout, stderr := newMain(env{}, "")
		err := m.Run(context.Background(), c.args)
		if err == nil {
			t.Errorf("casebook %v: no error", c.args)
			continue
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("casebook %v: stderr does not say %q:\n%s", c.args, c.want, stderr)
		}
		if stdout.String() != "" {
			t.Errorf("casebook %v: a mistake printed on stdout: %q", c.args, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "casebook.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command created the database: %v", err)
	}

	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "-h"}, {"user", "--help"}, {"user", "create", "--help"}, {"backup", "-h"}, {"version", "-h"}} {
		m, stdout, stderr := newMain(env{}, "")
		if err := m.Run(context.Background(), args); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("casebook %v: %v, want flag.ErrHelp", args, err)
		}
		if !strings.Contains(stdout.String(), "Usage") || stderr.String() != "" {
			t.Errorf("casebook %v: help not on stdout alone:\nstdout: %q\nstderr: %q", args, stdout, stderr)
		}
	}
}

var _ = time.Second

func TestMigrate_SaysWhatItApplied(t *testing.T) {
	data := t.TempDir()
	var first, second struct{ Applied []string }
	mustRunJSON(t, env{}, &first, "migrate", "--data", data)
	if len(first.Applied) == 0 || first.Applied[0] != "0001_initial.sql" {
		t.Errorf("first migrate applied %v, want every migration from 0001_initial.sql", first.Applied)
	}
	mustRunJSON(t, env{}, &second, "migrate", "--data", data)
	if len(second.Applied) != 0 {
		t.Errorf("second migrate applied %v, want nothing", second.Applied)
	}
	if out := mustRun(t, env{}, "migrate", "--data", data); !strings.Contains(out, "up to date") {
		t.Errorf("migrate with nothing to do printed %q", out)
	}
}

func TestListCommands(t *testing.T) {
	data := t.TempDir()
	e := env{"CASEBOOK_DATA": data, "CASEBOOK_PASSWORD": "Secret-pass-123"}
	mustRun(t, e, "account", "create", "--name", "acme")
	mustRun(t, e, "account", "create", "--name", "globex")
	mustRun(t, e, "user", "create", "--account", "acme", "--name", "alice")
	mustRun(t, e, "user", "create", "--account", "acme", "--name", "bob")
	mustRun(t, e, "user", "create", "--account", "globex", "--name", "dave")
	mustRun(t, e, "group", "create", "--account", "acme", "--name", "team")
	mustRun(t, e, "group", "create", "--account", "acme", "--name", "empty")
	mustRun(t, e, "group", "add-member", "--account", "acme", "--group", "team", "--user", "alice")
	mustRun(t, e, "engineer", "create", "--name", "eng1")
	mustRun(t, e, "engineer", "create", "--name", "eng2")
	mustRun(t, e, "engineer", "disable", "--name", "eng2")

	var accounts []struct {
		AccountID   string `json:"account_id"`
		AccountName string `json:"account_name"`
	}
	mustRunJSON(t, e, &accounts, "account", "list")
	if len(accounts) != 2 || accounts[0].AccountName != "acme" || accounts[1].AccountName != "globex" || !isHexID(accounts[0].AccountID) {
		t.Errorf("account list: %+v", accounts)
	}

	var users []struct {
		UserName string `json:"user_name"`
		Master   bool   `json:"master"`
		Enabled  bool   `json:"enabled"`
		Groups   []struct {
			GroupName string `json:"group_name"`
		} `json:"groups"`
	}
	mustRunJSON(t, e, &users, "user", "list", "--account", "acme")
	got := ""
	for _, u := range users {
		got += fmt.Sprintf("%s:%v:%d;", u.UserName, u.Master, len(u.Groups))
	}
	if got != "admin:true:0;alice:false:1;bob:false:0;" || users[1].Groups[0].GroupName != "team" {
		t.Errorf("user list: %s %+v", got, users)
	}

	var groups []struct {
		GroupName string `json:"group_name"`
		Members   []struct {
			UserName string `json:"user_name"`
		} `json:"members"`
	}
	mustRunJSON(t, e, &groups, "group", "list", "--account", "acme")
	if len(groups) != 2 || groups[0].GroupName != "team" || len(groups[0].Members) != 1 || groups[0].Members[0].UserName != "alice" || len(groups[1].Members) != 0 {
		t.Errorf("group list: %+v", groups)
	}
	if out := mustRun(t, e, "group", "list", "--account", "globex"); strings.Contains(out, "team") {
		t.Errorf("globex's groups show acme's: %s", out)
	}
	if out := mustRun(t, e, "user", "list", "--account", "acme"); !strings.Contains(out, "alice") || !strings.Contains(out, "team") || strings.Contains(out, "dave") {
		t.Errorf("user list table: %s", out)
	}

	var engineers []struct {
		EngineerName string `json:"engineer_name"`
		Enabled      bool   `json:"enabled"`
	}
	mustRunJSON(t, e, &engineers, "engineer", "list")
	if len(engineers) != 2 || !engineers[0].Enabled || engineers[1].Enabled {
		t.Errorf("engineer list: %+v", engineers)
	}
	if _, err := run(t, e, "user", "list", "--account", "nope"); err == nil || !strings.Contains(err.Error(), `"nope" not found`) {
		t.Errorf("user list of a missing account: %v", err)
	}

	// No listing shows a password hash.
	for _, args := range [][]string{{"user", "list", "--account", "acme", "--json"}, {"engineer", "list", "--json"}} {
		if out := mustRun(t, e, args...); strings.Contains(out, "pbkdf2") || strings.Contains(strings.ToLower(out), "hash") {
			t.Errorf("%v shows a password hash: %s", args, out)
		}
	}

	// An engineer's password change ends old tokens and takes the new one.
	srv := startServer(t, e, nil)
	if got := engineerLoginStatus(t, srv.URL, "eng1", "Secret-pass-123"); got != http.StatusCreated {
		t.Fatalf("engineer login: %d", got)
	}
	mustRun(t, env{"CASEBOOK_DATA": data, "CASEBOOK_PASSWORD": "New-secret-456"}, "engineer", "passwd", "--name", "eng1")
	if got := engineerLoginStatus(t, srv.URL, "eng1", "Secret-pass-123"); got != http.StatusUnauthorized {
		t.Errorf("old password after passwd: %d, want 401", got)
	}
	if got := engineerLoginStatus(t, srv.URL, "eng1", "New-secret-456"); got != http.StatusCreated {
		t.Errorf("new password after passwd: %d, want 201", got)
	}
	if _, err := run(t, e, "engineer", "passwd", "--name", "nobody"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("passwd of a missing engineer: %v", err)
	}
}

// TestServe_OperateOnPostgres runs the metrics' store figures and the test
// controls' reset on PostgreSQL.
func TestServe_OperateOnPostgres(t *testing.T) {
	dsn := postgresDatabase(t)
	e := env{"CASEBOOK_DATA": t.TempDir(), "CASEBOOK_DB": dsn}
	var demo struct {
		AccountName string `json:"account_name"`
		Users       []struct{ Name, Password string }
	}
	mustRunJSON(t, e, &demo, "demo")
	srv := startServer(t, e, nil, "--test-controls", "--principal-cache", "0s")

	body := scrape(t, srv.URL+"/metrics")
	for series, want := range map[string]float64{
		`casebook_store_stats_up`:  1,
		`casebook_grants_in_force`: 1,
		`casebook_attachments`:     1,
	} {
		if got := metricValue(t, body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if metricValue(t, body, `go_sql_open_connections{db_name="writer"}`) < 0 {
		t.Error("no pool statistics")
	}

	if res, body := do(t, "POST", srv.URL+"/testing/v1/clock", `{"advance":"8h"}`, nil); res.StatusCode != 200 {
		t.Fatalf("advance: %d %s", res.StatusCode, body)
	}
	if got := metricValue(t, scrape(t, srv.URL+"/metrics"), `casebook_grants_in_force`); got != 0 {
		t.Errorf("grants in force 8h later: %v, want 0", got)
	}
	if res, body := do(t, "POST", srv.URL+"/testing/v1/reset", "", nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %d %s", res.StatusCode, body)
	}
	if got := loginStatus(t, srv.URL, demo.AccountName, demo.Users[0].Name, demo.Users[0].Password); got != http.StatusUnauthorized {
		t.Errorf("login after reset: %d, want 401", got)
	}
	body = scrape(t, srv.URL+"/metrics")
	if metricValue(t, body, `casebook_attachments`) != 0 {
		t.Errorf("attachments after reset: %v", metricValue(t, body, `casebook_attachments`))
	}
	// The audit log and the tickets' histories are append-only again after the reset.
	mustRun(t, e, "demo")
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, table := range []string{"audit_events", "case_events"} {
		if _, err := conn.Exec(context.Background(), "DELETE FROM "+table); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("DELETE FROM %s after a reset: %v, want the append-only refusal", table, err)
		}
	}
}

// TestREADMEWalkthroughAfterDemo runs the README's set-up commands of the
// curl walkthrough on a store that holds the demo: the two must not
// collide (they once both created engineer "eve").
func TestREADMEWalkthroughAfterDemo(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "./casebook account create") && !strings.HasPrefix(line, "./casebook engineer create") {
			continue
		}
		// Split on spaces, keeping single-quoted words together.
		var args []string
		for i, part := range strings.Split(strings.TrimPrefix(line, "./casebook "), "'") {
			if i%2 == 1 {
				args = append(args, part)
			} else {
				args = append(args, strings.Fields(part)...)
			}
		}
		cmds = append(cmds, args)
	}
	if len(cmds) != 2 {
		t.Fatalf("found %d account/engineer create commands in the README, want 2: %q", len(cmds), cmds)
	}
	e := env{"CASEBOOK_DATA": t.TempDir()}
	mustRun(t, e, "demo")
	for _, args := range cmds {
		mustRun(t, e, args...)
	}
}
