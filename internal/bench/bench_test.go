package bench_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/casebook/casebook/internal/bench"
	"github.com/casebook/casebook/sqlite"
)

// benchUsers is the part of the users file the tests read.
type benchUsers struct {
	Password string `json:"password"`
	Users    []struct {
		AccountName string `json:"account_name"`
		Name        string `json:"name"`
		Master      bool   `json:"master"`
		AccessKey   string `json:"access_key"`
		SecretKey   string `json:"secret_key"`
	} `json:"users"`
	Engineer struct {
		Name string `json:"name"`
	} `json:"engineer"`
}

// benchResult is the part of `bench run --json` the tests read.
type benchResult struct {
	Mode      string `json:"mode"`
	Role      string `json:"role"`
	Endpoints []struct {
		Endpoint string `json:"endpoint"`
		Requests int    `json:"requests"`
		Errors   int    `json:"errors"`
		Capped   int    `json:"capped"`
	} `json:"endpoints"`
	Total struct {
		Requests int `json:"requests"`
		Errors   int `json:"errors"`
	} `json:"total"`
	ErrorSamples []string `json:"error_samples"`
}

// seedBench seeds a small dataset into a new data directory and returns
// the directory and the users file.
func seedBench(t *testing.T) (data, usersFile string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "data")
	out := mustRun(t, "seed", "--data", data, "--accounts", "2", "--users-per-account", "4",
		"--engineers", "2", "--tickets", "120", "--authorizations", "1500", "--batch", "400",
		"--hash-iterations", "1000", "--seed", "7")
	usersFile = filepath.Join(data, "bench-users.json")
	if !strings.Contains(out, usersFile) || !strings.Contains(out, "1500 authorizations") {
		t.Fatalf("bench seed output:\n%s", out)
	}
	return data, usersFile
}

func TestBenchSeed(t *testing.T) {
	data, usersFile := seedBench(t)

	info, err := os.Stat(usersFile)
	if err != nil {
		t.Fatal(err)
	} else if info.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v, want 0600: it holds passwords and secret keys", info.Mode().Perm())
	}
	var users benchUsers
	b, _ := os.ReadFile(usersFile)
	if err := json.Unmarshal(b, &users); err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 6 || users.Engineer.Name != "bench-eng-01" || users.Password == "" {
		t.Fatalf("users file: %s", b)
	}
	for _, u := range users.Users {
		if u.AccessKey == "" || u.SecretKey == "" || u.AccountName == "" {
			t.Errorf("user without account or access key: %+v", u)
		}
	}

	// The rows obey the rules the Service keeps.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "casebook.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(query string) int {
		t.Helper()
		var n int
		if err := db.Reader.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for _, c := range []struct {
		what, query string
		want        int
	}{
		{"accounts", `SELECT COUNT(*) FROM accounts`, 2},
		{"users", `SELECT COUNT(*) FROM users`, 10},
		{"masters", `SELECT COUNT(*) FROM users WHERE is_master = 1`, 2},
		{"group members", `SELECT COUNT(*) FROM group_members`, 4},
		{"tickets", `SELECT COUNT(*) FROM cases`, 120},
		{"first messages", `SELECT COUNT(*) FROM messages m JOIN cases c ON c.id = m.case_id AND m.is_first = 1 AND m.author_id = c.creator_id`, 120},
		{"authorizations", `SELECT COUNT(*) FROM authorizations`, 1500},
		{"tickets by a stranger", `SELECT COUNT(*) FROM cases c LEFT JOIN users u ON u.id = c.creator_id AND u.account_id = c.account_id WHERE u.id IS NULL`, 0},
		{"authorizations that do not copy their ticket", `SELECT COUNT(*) FROM authorizations a JOIN cases c ON c.id = a.case_id
			WHERE a.account_id <> c.account_id OR a.case_creator_id <> c.creator_id OR a.engineer_id <> c.assignee_id
			   OR a.case_deleted <> (c.status = 13) OR a.case_description <> c.simple_description
			   OR a.case_creator_name <> c.creator_name`, 0},
		{"authorizations on missing tickets", `SELECT COUNT(*) FROM authorizations a LEFT JOIN cases c ON c.id = a.case_id WHERE c.id IS NULL`, 0},
		{"pending or granted on ended tickets", `SELECT COUNT(*) FROM authorizations a JOIN cases c ON c.id = a.case_id
			WHERE a.status IN (0, 1) AND c.status IN (3, 4, 13)`, 0},
		{"grants without a window in force", `SELECT COUNT(*) FROM authorizations WHERE status = 1
			AND (effective_at IS NULL OR expire_at <= CAST(unixepoch('subsec') * 1000 AS INTEGER) OR effective_at >= expire_at OR agency_id = '')`, 0},
		{"expired grants whose window is not over", `SELECT COUNT(*) FROM authorizations WHERE status = 3
			AND (expire_at IS NULL OR expire_at > CAST(unixepoch('subsec') * 1000 AS INTEGER) OR effective_at < created_at)`, 0},
		{"authorizations older than their ticket", `SELECT COUNT(*) FROM authorizations a JOIN cases c ON c.id = a.case_id WHERE a.created_at < c.created_at`, 0},
		{"authorizations without 1 to 3 details", `SELECT COUNT(*) FROM authorizations a
			WHERE (SELECT COUNT(*) FROM authorization_details d WHERE d.authorization_id = a.id) NOT BETWEEN 1 AND 3`, 0},
		{"authorization statuses", `SELECT COUNT(DISTINCT status) FROM authorizations`, 6},
		{"rejections without a reason or handler", `SELECT COUNT(*) FROM authorizations WHERE status = 2 AND (reject_reason = '' OR handler_id = '')`, 0},
	} {
		if got := count(c.query); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	if days := count(`SELECT (MAX(created_at) - MIN(created_at)) / 86400000 FROM authorizations`); days < 100 {
		t.Errorf("authorizations span %d days, want them spread over the year", days)
	}
	if n := count(`SELECT COUNT(*) FROM authorization_details`); n < 2000 {
		t.Errorf("%d details for 1500 authorizations, want about two each", n)
	}

	// Seeding again with the same prefix is refused before anything is
	// written.
	if _, err := run(t, "seed", "--data", data, "--accounts", "2", "--tickets", "10", "--authorizations", "10", "--hash-iterations", "1000"); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("second seed with the same prefix: %v, want a refusal naming --prefix", err)
	}
	if got := count(`SELECT COUNT(*) FROM accounts`); got != 2 {
		t.Errorf("%d accounts after the refused seed, want 2", got)
	}
}

func TestBenchRun(t *testing.T) {
	data, usersFile := seedBench(t)
	srv := startServer(t, data)

	for _, mode := range []string{"token", "aksk"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"run", "--url", srv.URL, "--users", usersFile, "--concurrency", "4",
				"--duration", "60s", "--requests", "300", "--prepare", "60", "--json"}
			if mode == "aksk" {
				args = append(args, "--aksk")
			}
			var res benchResult
			out := mustRun(t, args...)
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("bench run --json: %v\n%s", err, out)
			}
			if res.Mode != mode {
				t.Errorf("mode %q, want %q", res.Mode, mode)
			}
			if res.Total.Requests == 0 || res.Total.Requests > 300 {
				t.Errorf("%d requests in total, want 1..300 (--requests)", res.Total.Requests)
			}
			if res.Total.Errors != 0 || len(res.ErrorSamples) > 0 {
				t.Errorf("%d errors: %v", res.Total.Errors, res.ErrorSamples)
			}
			seen := map[string]bool{}
			for _, e := range res.Endpoints {
				seen[e.Endpoint] = true
				if e.Requests == 0 || e.Errors != 0 || e.Capped != 0 {
					t.Errorf("%s: %d requests, %d errors, %d capped; want requests and no errors", e.Endpoint, e.Requests, e.Errors, e.Capped)
				}
			}
			if len(seen) != 5 {
				t.Errorf("endpoints %v, want the five seed endpoints", seen)
			}
		})
	}

	// Group members listing with their group's group_id: a group_id the
	// server refused would show as errors.
	t.Run("group", func(t *testing.T) {
		var res benchResult
		out := mustRun(t, "run", "--url", srv.URL, "--users", usersFile, "--concurrency", "2",
			"--duration", "60s", "--requests", "50", "--endpoints", "list", "--role", "group", "--json")
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("bench run --json: %v\n%s", err, out)
		}
		if res.Role != "group" || res.Total.Requests == 0 || res.Total.Errors != 0 || len(res.ErrorSamples) > 0 {
			t.Errorf("role %q, %d requests, %d errors %v; want group, requests and no errors",
				res.Role, res.Total.Requests, res.Total.Errors, res.ErrorSamples)
		}
	})
}

func TestBenchRunRefusesOtherHosts(t *testing.T) {
	for _, u := range []string{"http://192.0.2.1:8080", "http://example.com", "ftp://127.0.0.1", "http://10.0.0.1"} {
		_, err := run(t, "run", "--url", u, "--users", "does-not-matter.json")
		if err == nil || !strings.Contains(err.Error(), "--url") {
			t.Errorf("bench run --url %s: %v, want a refusal", u, err)
		}
	}
}

// soakResult is the part of `soak --json` the tests read.
type soakResult struct {
	ServerPID      int   `json:"server_pid"`
	WarmupRequests int64 `json:"warmup_requests"`
	Requests       int64 `json:"requests"`
	Operations     []struct {
		Op           string `json:"op"`
		Requests     int    `json:"requests"`
		ServerErrors int    `json:"server_errors"`
		Failures     int    `json:"failures"`
	} `json:"operations"`
	ServerErrors int      `json:"server_errors"`
	Failures     int      `json:"failures"`
	RSSWarmKiB   int64    `json:"rss_after_warmup_kib"`
	RSSEndKiB    int64    `json:"rss_after_run_kib"`
	Samples      []string `json:"failure_samples"`
	Problems     []string `json:"problems"`
}

// TestSoak runs the soak with a few hundred requests against a server
// process: every kind of request of the mix is sent and answered as
// expected, and the server's memory is read. Speed and the memory
// threshold are not asserted (a short run on a shared machine says nothing
// about either); --max-rss-growth is set out of reach.
func TestSoak(t *testing.T) {
	data, usersFile := seedBench(t)
	srv := startServer(t, data)

	var res soakResult
	out := mustRun(t, "soak", "--url", srv.URL, "--users", usersFile, "--server-pid", strconv.Itoa(srv.PID),
		"--warmup", "100", "--requests", "600", "--concurrency", "3", "--max-rss-growth", "1000", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("soak --json: %v\n%s", err, out)
	}
	// The warm-up: rounds of 100 until two in a row leave memory level.
	if res.ServerPID != srv.PID || res.Requests != 600 || res.WarmupRequests < 200 || res.WarmupRequests%100 != 0 {
		t.Errorf("pid %d, %d requests after %d, want %d, 600 after rounds of 100 (two at least)", res.ServerPID, res.Requests, res.WarmupRequests, srv.PID)
	}
	if res.ServerErrors != 0 || res.Failures != 0 || len(res.Samples) > 0 || len(res.Problems) > 0 {
		t.Errorf("%d 5xx, %d failures %v, problems %v", res.ServerErrors, res.Failures, res.Samples, res.Problems)
	}
	total := 0
	for _, op := range res.Operations {
		total += op.Requests
		if op.Requests == 0 {
			t.Errorf("no %s request in 600", op.Op)
		}
	}
	if total != 600 {
		t.Errorf("%d requests counted by operation, want 600", total)
	}
	if res.RSSWarmKiB <= 0 || res.RSSEndKiB <= 0 {
		t.Errorf("resident memory %d and %d KiB, want readings", res.RSSWarmKiB, res.RSSEndKiB)
	}
}

// TestSoakFailsOn5xx puts a proxy before the server that answers one
// request in 40 with 500: the soak counts them and fails.
func TestSoakFailsOn5xx(t *testing.T) {
	data, usersFile := seedBench(t)
	srv := startServer(t, data)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var n atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%40 == 0 {
			http.Error(w, `{"error_code":"OSM.0000","error_msg":"injected"}`, http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	out, err := run(t, "soak", "--url", front.URL, "--users", usersFile, "--server-pid", strconv.Itoa(srv.PID),
		"--warmup", "0", "--requests", "200", "--concurrency", "2", "--max-rss-growth", "1000", "--json")
	if err == nil || !strings.Contains(err.Error(), "5xx") {
		t.Errorf("soak through a proxy answering 500: %v, want a failure naming the 5xx answers", err)
	}
	var res soakResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("soak --json: %v\n%s", err, out)
	}
	if res.ServerErrors < 4 || len(res.Problems) == 0 {
		t.Errorf("%d 5xx counted, problems %v; want about 5 and a problem", res.ServerErrors, res.Problems)
	}
}

// TestSoakStart has the soak start the server itself (--start) and stop
// it at the end.
func TestSoakStart(t *testing.T) {
	data, usersFile := seedBench(t)
	port := freePort(t)
	serverLog := filepath.Join(t.TempDir(), "server.log")
	var res soakResult
	out := mustRun(t, "soak", "--url", "http://127.0.0.1:"+port, "--users", usersFile,
		"--start", binary(t, "casebook")+" serve --data "+data+" --addr 127.0.0.1:"+port, "--server-log", serverLog,
		"--warmup", "50", "--requests", "200", "--concurrency", "2", "--max-rss-growth", "1000", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("soak --json: %v\n%s", err, out)
	}
	if res.ServerPID == 0 || res.Requests != 200 || res.ServerErrors != 0 || res.Failures != 0 || res.RSSEndKiB <= 0 {
		t.Errorf("pid %d, %d requests, %d 5xx, %d failures, %d KiB; want the started server's pid, 200 clean requests and its memory",
			res.ServerPID, res.Requests, res.ServerErrors, res.Failures, res.RSSEndKiB)
	}
	// The server was stopped: its log ends with its shutdown.
	log, err := os.ReadFile(serverLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "msg=stopped") {
		t.Errorf("the server log does not show a shutdown:\n%s", log)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// TestSeedFromEnvironment seeds where CASEBOOK_DATA points, as casebook
// serve reads it, when --data is not given.
func TestSeedFromEnvironment(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	var stdout, stderr strings.Builder
	m := &bench.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(name string) string {
		if name == "CASEBOOK_DATA" {
			return data
		}
		return ""
	}}
	err := m.Run(context.Background(), []string{"seed", "--accounts", "1", "--users-per-account", "1", "--engineers", "1",
		"--tickets", "5", "--authorizations", "5", "--hash-iterations", "1000"})
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr.String())
	}
	for _, name := range []string{"casebook.db", "master.key", "bench-users.json"} {
		if _, err := os.Stat(filepath.Join(data, name)); err != nil {
			t.Errorf("CASEBOOK_DATA/%s: %v", name, err)
		}
	}
}
