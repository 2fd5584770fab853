package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/casebook/casebook/internal/client"
)

const soakHelp = `Sends a bounded number of mixed requests to one running Casebook with the
logins of a users file written by casebook-bench seed, and checks that the
server stays healthy: no 5xx answer, and its resident memory (VmRSS of
/proc/PID/status, Linux) after the run within --max-rss-growth percent of
what it was after the warm-up.

The warm-up brings the server to its steady state before the first
reading: it sends rounds of --warmup requests until two rounds in a row
each grow the resident memory by at most half the rate the run is allowed
(--max-rss-growth spread over --requests), or until --warmup-max requests.
A server's caches fill while it warms up (SQLite's page cache, per
connection, fills as the mix reads more of the file); a leak keeps growing
and fails the run.

The mix, per 100 operations: 26 ListAuthorizations (random offsets), 20
ShowAuthorizationDetail, 12 ListAccessoryAccessUrls, 12
ConfirmAuthorizations (each of a request for access that the engineer of
the users file makes through the support API just before), 12
CreateRelations (to fresh tickets, three relations each), 12 attachment
uploads and 6 logins (one in six by the engineer). Every HTTP request
counts, the support API's and the new tickets' included: the warm-up's
requests first, then --requests more.

The server is the process --server-pid, or the one --start starts (a
command line split at spaces, such as "casebook serve --data ./data"; it is
stopped with SIGTERM at the end). Only loopback addresses are accepted.

Fails (exit status 1) on any 5xx, any other unexpected answer or failed
request, or memory growth beyond --max-rss-growth.`

// soakOps are the operations of the mix with their weight (of 100).
var soakOps = []struct {
	name   string
	weight int
}{{"list", 26}, {"show", 20}, {"urls", 12}, {"confirm", 12}, {"relations", 12}, {"upload", 12}, {"login", 6}}

// soakStatNames are the kinds of request the soak reports: the five seed
// endpoints and what the mix needs besides.
var soakStatNames = []string{"list", "show", "urls", "confirm", "relations", "upload", "login", "engineer-login", "request-access", "create-case"}

// soak is `casebook-bench soak`.
func (m *Main) soak(ctx context.Context, args []string) error {
	c := m.newCommand("soak", "--users FILE (--server-pid PID | --start COMMAND) [flags]", soakHelp)
	rawURL := c.String("url", defaultURL, "base `URL` of the server; only loopback hosts")
	usersPath := c.String("users", "", "users `file` written by casebook-bench seed (required)")
	s := &soakRun{stderr: m.Stderr}
	c.Int64Var(&s.requests, "requests", 100_000, "requests to send after the warm-up")
	c.Int64Var(&s.warmup, "warmup", 10_000, "requests per round of the warm-up (0: no warm-up)")
	c.Int64Var(&s.warmupMax, "warmup-max", 300_000, "most requests of the warm-up, if memory has not levelled off before")
	c.IntVar(&s.concurrency, "concurrency", 8, "concurrent workers (connections)")
	c.Float64Var(&s.maxGrowth, "max-rss-growth", 10, "largest allowed growth of the server's resident memory from after the warm-up to the end, in `percent`")
	c.IntVar(&s.pid, "server-pid", 0, "process `id` of the server, whose memory is read")
	start := c.String("start", "", "`command` line that starts the server (instead of --server-pid); stopped at the end")
	serverLog := c.String("server-log", "", "`file` for the output of the server started by --start (default: discarded)")
	asJSON := c.Bool("json", false, "print the result as JSON")
	if err := c.parse(args, m.Stdout); err != nil {
		return err
	}
	var err error
	if s.base, err = loopbackURL(*rawURL); err != nil {
		return c.fail(err)
	}
	switch {
	case *usersPath == "":
		return c.failf("--users is required: the file written by casebook-bench seed")
	case s.requests < 1:
		return c.failf("--requests must be at least 1, got %d", s.requests)
	case s.warmup < 0:
		return c.failf("--warmup must not be negative, got %d", s.warmup)
	case s.warmupMax < s.warmup:
		return c.failf("--warmup-max must be at least --warmup (%d), got %d", s.warmup, s.warmupMax)
	case s.concurrency < 1 || s.concurrency > 1024:
		return c.failf("--concurrency must be between 1 and 1024, got %d", s.concurrency)
	case s.maxGrowth < 0:
		return c.failf("--max-rss-growth must not be negative, got %g", s.maxGrowth)
	case (s.pid > 0) == (*start != ""):
		return c.failf("give the server as --server-pid PID or --start COMMAND (one of them)")
	case s.pid < 0:
		return c.failf("--server-pid must be positive, got %d", s.pid)
	case *serverLog != "" && *start == "":
		return c.failf("--server-log needs --start")
	}
	if s.file, err = readBenchUsers(*usersPath); err != nil {
		return err
	}
	s.client = newLoopbackClient(s.concurrency)
	defer s.client.CloseIdleConnections()
	s.api = client.New(s.base.String(), s.client)

	if *start != "" {
		stop, err := s.startServer(ctx, strings.Fields(*start), *serverLog)
		if err != nil {
			return err
		}
		defer stop()
	}
	if _, err := residentMemory(s.pid); err != nil {
		return err
	}

	res, err := s.run(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		res.print(m.Stdout)
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("soak failed: %s", strings.Join(res.Problems, "; "))
	}
	return nil
}

// soakRun is one `casebook-bench soak`.
type soakRun struct {
	base        *url.URL
	client      *http.Client
	api         *client.Client
	file        *benchUsersFile
	requests    int64
	warmup      int64 // per round
	warmupMax   int64
	concurrency int
	maxGrowth   float64
	pid         int
	stderr      io.Writer
	logins      atomic.Int64 // login operations so far, for the engineers' share
}

// startServer starts the server command, waits until it answers /readyz,
// and returns a function that stops it.
func (s *soakRun) startServer(ctx context.Context, argv []string, logPath string) (stop func(), err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--server-log: %w", err)
		}
		defer f.Close() // the child has its own descriptor
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("--start: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	s.pid = cmd.Process.Pid
	fmt.Fprintf(s.stderr, "started %s (pid %d)\n", argv[0], s.pid)
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := s.api.Send(ctx, "GET", "/readyz", nil, nil)
		if err == nil && res.Status == http.StatusOK {
			return stop, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("--start: the server exited before it was ready: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return nil, fmt.Errorf("--start: the server did not answer %s/readyz with 200 within 60s", s.base)
		}
	}
}

// residentMemory returns the resident set size of a process in KiB, from
// VmRSS of /proc/PID/status (Linux).
func residentMemory(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read the server's memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("read the server's memory: no VmRSS in /proc/%d/status", pid)
}

// soakResult is what soak prints.
type soakResult struct {
	URL              string          `json:"url"`
	ServerPID        int             `json:"server_pid"`
	Concurrency      int             `json:"concurrency"`
	Users            int             `json:"users"`
	WarmupRequests   int64           `json:"warmup_requests"`
	WarmupRSSKiB     []int64         `json:"warmup_rss_kib"` // after each round of the warm-up
	WarmupSettled    bool            `json:"warmup_settled"` // memory levelled off before --warmup-max
	SettlePercent    float64         `json:"settle_percent"` // a round's growth that counts as level
	Requests         int64           `json:"requests"`       // after the warm-up
	Seconds          float64         `json:"seconds"`        // of the requests after the warm-up
	PerSecond        float64         `json:"per_second"`
	Operations       []soakOpResult  `json:"operations"` // after the warm-up
	ServerErrors     int             `json:"server_errors"`
	Failures         int             `json:"failures"`
	RSSStartKiB      int64           `json:"rss_start_kib"`
	RSSWarmKiB       int64           `json:"rss_after_warmup_kib"`
	RSSEndKiB        int64           `json:"rss_after_run_kib"`
	RSSGrowthPercent float64         `json:"rss_growth_percent"`
	MaxGrowthPercent float64         `json:"max_rss_growth_percent"`
	Samples          []string        `json:"failure_samples,omitempty"`
	Problems         []string        `json:"problems,omitempty"`
	Warmup           *soakPhaseTotal `json:"warmup"`
}

type soakPhaseTotal struct {
	Requests     int64 `json:"requests"`
	ServerErrors int   `json:"server_errors"`
	Failures     int   `json:"failures"`
}

// soakOpResult holds latencies in milliseconds.
type soakOpResult struct {
	Op           string  `json:"op"`
	Requests     int     `json:"requests"`
	ServerErrors int     `json:"server_errors"` // 5xx
	Failures     int     `json:"failures"`      // other unexpected answers and failed requests
	P50          float64 `json:"p50_ms"`
	P99          float64 `json:"p99_ms"`
	Max          float64 `json:"max_ms"`
}

// run sends the warm-up, reads the memory, sends the requests, reads it
// again.
func (s *soakRun) run(ctx context.Context) (*soakResult, error) {
	res := &soakResult{URL: s.base.String(), ServerPID: s.pid, Concurrency: s.concurrency, Users: len(s.file.Users),
		Requests: s.requests, MaxGrowthPercent: s.maxGrowth, SettlePercent: s.settlePercent()}
	var err error
	if res.RSSStartKiB, err = residentMemory(s.pid); err != nil {
		return nil, err
	}
	workers := make([]*soakWorker, s.concurrency)
	for i := range workers {
		workers[i] = &soakWorker{s: s, rng: mathrand.New(mathrand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
	}
	for i, u := range s.file.Users {
		w := workers[i%len(workers)]
		w.customers = append(w.customers, &soakCustomer{user: u})
	}
	for _, w := range workers {
		if len(w.customers) == 0 {
			// More workers than users: share them (each worker keeps
			// its own tokens and tickets).
			u := s.file.Users[w.rng.IntN(len(s.file.Users))]
			w.customers = append(w.customers, &soakCustomer{user: u})
		}
	}

	if s.warmup == 0 {
		fmt.Fprintf(s.stderr, "no warm-up; %d workers at %s\n", s.concurrency, s.base)
	} else {
		fmt.Fprintf(s.stderr, "warm-up: rounds of %d requests with %d workers at %s, until two in a row grow memory by at most %.2f%%\n",
			s.warmup, s.concurrency, s.base, res.SettlePercent)
	}
	res.Warmup = &soakPhaseTotal{}
	res.RSSWarmKiB = res.RSSStartKiB
	for s.warmup > 0 && !res.WarmupSettled && res.WarmupRequests < s.warmupMax {
		warm := s.phase(ctx, workers, min(s.warmup, s.warmupMax-res.WarmupRequests))
		for _, st := range warm.stats {
			res.Warmup.Requests += int64(len(st.latencies))
			res.Warmup.ServerErrors += st.serverErrors
			res.Warmup.Failures += st.failures
		}
		res.WarmupRequests = res.Warmup.Requests
		res.Samples = append(res.Samples, warm.samples...)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rss, err := residentMemory(s.pid)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(s.stderr, "warm-up: %d requests, %d KiB resident\n", res.WarmupRequests, rss)
		res.RSSWarmKiB = rss
		res.WarmupRSSKiB = append(res.WarmupRSSKiB, rss)
		res.WarmupSettled = levelled(res.RSSStartKiB, res.WarmupRSSKiB, res.SettlePercent)
	}
	fmt.Fprintf(s.stderr, "after the warm-up: %d KiB resident; run: %d requests\n", res.RSSWarmKiB, s.requests)

	started := time.Now()
	measured := s.phase(ctx, workers, s.requests)
	elapsed := time.Since(started)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if res.RSSEndKiB, err = residentMemory(s.pid); err != nil {
		return nil, err
	}
	res.Seconds = elapsed.Seconds()
	var sent int64
	for _, name := range soakStatNames {
		st := measured.stats[name]
		op := soakOpResult{Op: name, Requests: len(st.latencies), ServerErrors: st.serverErrors, Failures: st.failures}
		if len(st.latencies) > 0 {
			slices.Sort(st.latencies)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			op.P50, op.P99, op.Max = ms(percentile(st.latencies, 0.5)), ms(percentile(st.latencies, 0.99)), ms(st.latencies[len(st.latencies)-1])
		}
		sent += int64(op.Requests)
		res.ServerErrors += op.ServerErrors
		res.Failures += op.Failures
		res.Operations = append(res.Operations, op)
	}
	res.Samples = append(res.Samples, measured.samples...)
	if elapsed > 0 {
		res.PerSecond = float64(sent) / elapsed.Seconds()
	}
	res.RSSGrowthPercent = growthPercent(res.RSSWarmKiB, res.RSSEndKiB)
	res.judge(sent)
	return res, nil
}

// settlePercent is the growth of one round of the warm-up under which
// memory counts as levelled off: half the rate the run is allowed, so that
// a server still filling its caches at the end of the warm-up does not
// take the run's whole margin.
func (s *soakRun) settlePercent() float64 {
	return s.maxGrowth / 2 * float64(s.warmup) / float64(s.requests)
}

// levelled reports whether the last two rounds of the warm-up each grew
// the resident memory by at most settle percent: start is the reading
// before the first round, rounds the readings after each.
func levelled(start int64, rounds []int64, settle float64) bool {
	if len(rounds) < 2 {
		return false
	}
	prev := start
	if len(rounds) > 2 {
		prev = rounds[len(rounds)-3]
	}
	last, before := rounds[len(rounds)-1], rounds[len(rounds)-2]
	return growthPercent(prev, before) <= settle && growthPercent(before, last) <= settle
}

func growthPercent(from, to int64) float64 {
	return 100 * float64(to-from) / float64(max(from, 1))
}

// judge lists what makes the soak fail.
func (res *soakResult) judge(sent int64) {
	if sent != res.Requests {
		res.Problems = append(res.Problems, fmt.Sprintf("%d requests answered of %d", sent, res.Requests))
	}
	if n := res.ServerErrors + res.Warmup.ServerErrors; n > 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("%d answers with a 5xx status", n))
	}
	if n := res.Failures + res.Warmup.Failures; n > 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("%d unexpected answers or failed requests", n))
	}
	if res.RSSGrowthPercent > res.MaxGrowthPercent {
		res.Problems = append(res.Problems, fmt.Sprintf("resident memory grew %.1f%% (%d to %d KiB), more than %g%%",
			res.RSSGrowthPercent, res.RSSWarmKiB, res.RSSEndKiB, res.MaxGrowthPercent))
	}
}

func (res *soakResult) print(w io.Writer) {
	fmt.Fprintf(w, "%s, server pid %d, %d workers, %d users; warm-up %d requests (%d 5xx, %d other failures), then %d requests in %.1fs (%.1f/s)\n\n",
		res.URL, res.ServerPID, res.Concurrency, res.Users, res.Warmup.Requests, res.Warmup.ServerErrors, res.Warmup.Failures,
		res.Requests, res.Seconds, res.PerSecond)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\trequests\t5xx\tfailures\tp50 ms\tp99 ms\tmax ms\t")
	for _, op := range res.Operations {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", op.Op, op.Requests, op.ServerErrors, op.Failures, op.P50, op.P99, op.Max)
	}
	tw.Flush()
	settled := "levelled off"
	if !res.WarmupSettled {
		settled = "not levelled off"
	}
	fmt.Fprintf(w, "\nserver resident memory: %d KiB at the start, %d KiB after the warm-up (%s; KiB after each round: %v), %d KiB after the run (%+.1f%%, limit %g%%)\n",
		res.RSSStartKiB, res.RSSWarmKiB, settled, res.WarmupRSSKiB, res.RSSEndKiB, res.RSSGrowthPercent, res.MaxGrowthPercent)
	for _, s := range res.Samples {
		fmt.Fprintf(w, "failure: %s\n", s)
	}
	if len(res.Problems) == 0 {
		fmt.Fprintln(w, "PASS: no 5xx, no failure, memory within the limit")
	}
	for _, p := range res.Problems {
		fmt.Fprintf(w, "FAIL: %s\n", p)
	}
}

// soakCustomer is a user of the users file as one worker knows them: its
// token and what it has found and made.
type soakCustomer struct {
	user     benchUser
	token    client.Token
	explored bool
	visible  int
	authIDs  []string // authorizations the user sees
	caseIDs  []string // tickets the user sees
	uploads  []string // the latest attachments the user uploaded

	accessCase string // a ticket the engineer asks access on
	accessLeft int    // requests still to make on it
	target     string // a ticket receiving relations
	related    []string
}

// soakWorker sends requests one at a time for its own customers.
type soakWorker struct {
	s         *soakRun
	rng       *mathrand.Rand
	customers []*soakCustomer
	engineer  client.Token
	stats     map[string]*soakStats
	samples   []string
	budget    *atomic.Int64
}

type soakStats struct {
	latencies    []time.Duration
	serverErrors int
	failures     int
}

// soakPhase is what the workers measured in one phase.
type soakPhase struct {
	stats   map[string]*soakStats
	samples []string
}

// phase runs the workers until n requests have been sent.
func (s *soakRun) phase(ctx context.Context, workers []*soakWorker, n int64) *soakPhase {
	var budget atomic.Int64
	budget.Store(n)
	var wg sync.WaitGroup
	for _, w := range workers {
		w.budget, w.samples = &budget, nil
		w.stats = map[string]*soakStats{}
		for _, name := range soakStatNames {
			w.stats[name] = &soakStats{}
		}
		wg.Go(func() {
			for ctx.Err() == nil && w.step(ctx) {
			}
		})
	}
	wg.Wait()
	out := &soakPhase{stats: map[string]*soakStats{}}
	for _, name := range soakStatNames {
		total := &soakStats{}
		for _, w := range workers {
			st := w.stats[name]
			total.latencies = append(total.latencies, st.latencies...)
			total.serverErrors += st.serverErrors
			total.failures += st.failures
		}
		out.stats[name] = total
	}
	for _, w := range workers {
		out.samples = append(out.samples, w.samples...)
	}
	return out
}

// errBudget ends a phase: its requests are all sent.
var errBudget = errors.New("the phase's requests are all sent")

// send sends one request of the kind stat, expecting status want, and
// records it. It returns errBudget when the phase has no request left,
// else an error for any other answer.
func (w *soakWorker) send(ctx context.Context, stat, method, path string, cred client.Credential, body any, want int, out any) (*client.Response, error) {
	if w.budget.Add(-1) < 0 {
		return nil, errBudget
	}
	started := time.Now()
	res, err := w.s.api.Send(ctx, method, path, cred, body)
	return w.record(stat, method, path, started, res, err, want, out)
}

// upload is send for an attachment.
func (w *soakWorker) upload(ctx context.Context, c *soakCustomer) (string, error) {
	if w.budget.Add(-1) < 0 {
		return "", errBudget
	}
	req, err := w.s.api.UploadRequest(ctx, c.token, benchUpload(fmt.Sprintf("soak-%d.log", w.rng.IntN(1000))))
	if err != nil {
		return "", err
	}
	started := time.Now()
	res, err := w.s.api.Do(req)
	var out struct {
		AccessoryID string `json:"accessory_id"`
	}
	if _, err := w.record("upload", "POST", "/v2/servicerequest/accessorys", started, res, err, http.StatusOK, &out); err != nil {
		return "", err
	}
	return out.AccessoryID, nil
}

func (w *soakWorker) record(stat, method, path string, started time.Time, res *client.Response, err error, want int, out any) (*client.Response, error) {
	st := w.stats[stat]
	st.latencies = append(st.latencies, time.Since(started))
	fail := func(msg string) error {
		if len(w.samples) < 3 {
			w.samples = append(w.samples, fmt.Sprintf("%s %s: %s", method, path, msg))
		}
		return errors.New(msg)
	}
	switch {
	case err != nil:
		st.failures++
		return nil, fail(err.Error())
	case res.Status >= 500:
		st.serverErrors++
		return nil, fail(res.String())
	case res.Status != want:
		st.failures++
		return nil, fail(res.String())
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			st.failures++
			return nil, fail("undecodable answer: " + err.Error())
		}
	}
	return res, nil
}

// step runs one operation of the mix. It returns false when the phase is
// over.
func (w *soakWorker) step(ctx context.Context) bool {
	c := w.customers[w.rng.IntN(len(w.customers))]
	var err error
	switch {
	case c.token == "":
		err = w.login(ctx, c)
	case !c.explored:
		err = w.explore(ctx, c)
	default:
		err = w.operation(ctx, c, w.pick())
	}
	return !errors.Is(err, errBudget)
}

func (w *soakWorker) pick() string {
	n := w.rng.IntN(100)
	for _, op := range soakOps {
		if n < op.weight {
			return op.name
		}
		n -= op.weight
	}
	return soakOps[0].name
}

func (w *soakWorker) operation(ctx context.Context, c *soakCustomer, op string) error {
	switch {
	case op == "show" && len(c.authIDs) == 0, op == "list" && c.visible == 0:
		op = "upload" // nothing to read yet
	case op == "urls" && len(c.uploads) == 0:
		op = "upload"
	}
	switch op {
	case "list":
		deepest := max(0, min(c.visible-10, maxListOffset))
		_, err := w.send(ctx, "list", "GET", client.AuthorizationsPath(client.AuthorizationQuery{Limit: 10, Offset: w.rng.IntN(deepest + 1)}), c.token, nil, http.StatusOK, nil)
		return err
	case "show":
		_, err := w.send(ctx, "show", "GET", client.AuthorizationPath(c.authIDs[w.rng.IntN(len(c.authIDs))]), c.token, nil, http.StatusOK, nil)
		return err
	case "urls":
		ids := slices.Clone(c.uploads)
		w.rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		_, err := w.send(ctx, "urls", "GET", client.AccessURLsPath(ids[:1+w.rng.IntN(len(ids))]), c.token, nil, http.StatusOK, nil)
		return err
	case "upload":
		id, err := w.upload(ctx, c)
		if err == nil {
			if len(c.uploads) == uploadsPerUser {
				c.uploads = c.uploads[1:]
			}
			c.uploads = append(c.uploads, id)
		}
		return err
	case "confirm":
		return w.confirm(ctx, c)
	case "relations":
		return w.relate(ctx, c)
	case "login":
		// Every sixth login is an engineer's: counted, not drawn, so
		// that even a short run has some (one in six by chance left a
		// run of 600 without any about once in 400 runs).
		if w.s.logins.Add(1)%6 == 0 {
			return w.loginEngineer(ctx)
		}
		return w.login(ctx, c)
	}
	panic("unknown operation " + op)
}

func (w *soakWorker) login(ctx context.Context, c *soakCustomer) error {
	u := c.user
	res, err := w.send(ctx, "login", "POST", "/v3/auth/tokens", nil, client.PasswordAuth(u.AccountName, u.Name, u.Password), http.StatusCreated, nil)
	if err == nil {
		c.token = client.Token(res.Header.Get("X-Subject-Token"))
	}
	return err
}

func (w *soakWorker) loginEngineer(ctx context.Context) error {
	e := w.s.file.Engineer
	res, err := w.send(ctx, "engineer-login", "POST", "/support/v1/auth/tokens", nil, client.EngineerPasswordAuth(e.Name, e.Password), http.StatusCreated, nil)
	if err == nil {
		w.engineer = client.Token(res.Header.Get("X-Subject-Token"))
	}
	return err
}

// explore reads the first page of the user's authorizations: the total,
// ids to show and tickets to relate to.
func (w *soakWorker) explore(ctx context.Context, c *soakCustomer) error {
	var page client.AuthorizationPage
	if _, err := w.send(ctx, "list", "GET", client.AuthorizationsPath(client.AuthorizationQuery{Limit: 100}), c.token, nil, http.StatusOK, &page); err != nil {
		return err
	}
	c.explored, c.visible = true, page.Count
	for _, a := range page.List {
		c.authIDs = append(c.authIDs, a.ID)
		if !slices.Contains(c.caseIDs, a.IncidentID) {
			c.caseIDs = append(c.caseIDs, a.IncidentID)
		}
	}
	return nil
}

func (w *soakWorker) createCase(ctx context.Context, c *soakCustomer, what string) (string, error) {
	var out struct {
		IncidentID string `json:"incident_id"`
	}
	if _, err := w.send(ctx, "create-case", "POST", "/v2/servicerequest/cases", c.token, benchCase(what), http.StatusOK, &out); err != nil {
		return "", err
	}
	return out.IncidentID, nil
}

// confirm has the engineer ask for access on a ticket of c, and c grant
// it.
func (w *soakWorker) confirm(ctx context.Context, c *soakCustomer) error {
	if w.engineer == "" {
		return w.loginEngineer(ctx)
	}
	if c.accessLeft == 0 {
		id, err := w.createCase(ctx, c, "an engineer will ask for access")
		if err != nil {
			return err
		}
		c.accessCase, c.accessLeft = id, 10
	}
	var requested struct {
		ID      string `json:"id"`
		Details []struct {
			ID int64 `json:"id"`
		} `json:"details"`
	}
	if _, err := w.send(ctx, "request-access", "POST", client.RequestAuthorizationPath(c.accessCase), w.engineer, benchAccessRequest.Body(), http.StatusCreated, &requested); err != nil {
		return err
	}
	c.accessLeft--
	if len(requested.Details) == 0 {
		return nil
	}
	_, err := w.send(ctx, "confirm", "PUT", client.AuthorizationPath(requested.ID), c.token, benchGrant(requested.Details[0].ID, time.Now()).Body(), http.StatusOK, nil)
	return err
}

// relate relates a ticket c sees to c's current target, a fresh ticket
// that receives three relations (the cap).
func (w *soakWorker) relate(ctx context.Context, c *soakCustomer) error {
	if len(c.caseIDs) < 3 {
		id, err := w.createCase(ctx, c, "related ticket")
		if err == nil {
			c.caseIDs = append(c.caseIDs, id)
		}
		return err
	}
	if c.target == "" || len(c.related) == 3 {
		id, err := w.createCase(ctx, c, "to be related to earlier tickets")
		if err != nil {
			return err
		}
		c.target, c.related = id, nil
	}
	var rel string
	for rel == "" || slices.Contains(c.related, rel) {
		rel = c.caseIDs[w.rng.IntN(len(c.caseIDs))]
	}
	c.related = append(c.related, rel)
	_, err := w.send(ctx, "relations", "POST", client.RelationsPath(c.target), c.token, client.RelationsBody([]string{rel}), http.StatusOK, nil)
	return err
}
