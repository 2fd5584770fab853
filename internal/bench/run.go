package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/casebook/casebook/internal/client"
)

const benchRunHelp = `Drives the five seed endpoints of a running Casebook on this machine with
the logins of a users file written by casebook-bench seed, closed-loop:
--concurrency workers each send a request, wait for the answer, and send the
next, until --duration has passed or --requests requests were sent.

  list       ListAuthorizations at random offsets up to what the user sees
             (at most 65535), one in ten at the deepest full page; --offset
             fixes it (capped at the deepest full page)
  show       ShowAuthorizationDetail of authorizations the user sees
  confirm    ConfirmAuthorizations of pending requests that the engineer of
             the users file makes through the support API before the run
  relations  CreateRelations from fresh tickets (three relations each, the
             cap) to tickets the user sees
  urls       ListAccessoryAccessUrls of 1 to 10 attachments uploaded before
             the run

Customers authenticate with X-Auth-Token tokens from POST /v3/auth/tokens, or
with --aksk with SDK-HMAC-SHA256 signatures of their AK/SK pairs. The pools of
confirm and relations hold --prepare requests each; an endpoint whose pool
runs dry stops and the others go on. Only loopback addresses are accepted.

Prints per endpoint: requests, errors, requests per second, p50, p90, p99
and max latency (of every answered request, at the load given).`

// benchRun is one `casebook-bench run`.
type benchRun struct {
	base        *url.URL
	client      *http.Client
	api         *client.Client
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	maxRequests int64
	prepare     int
	offset      int
	limit       int
	aksk        bool
	role        string
	serverPID   int
	endpoints   []string
	stderr      io.Writer

	file      *benchUsersFile
	customers []*benchClient
	engToken  client.Token

	confirms  benchPool[benchConfirm]
	relations benchPool[benchRelation]
}

// benchClient is a logged-in customer and what the run found they see.
type benchClient struct {
	user         benchUser
	token        client.Token
	visible      int      // authorizations the user sees
	authIDs      []string // some of them
	caseIDs      []string // tickets the user sees
	accessoryIDs []string // their uploads
}

type benchConfirm struct {
	client   *benchClient
	id       string
	detailID int64
}

type benchRelation struct {
	client          *benchClient
	target, related string
}

// benchPool hands out prepared requests once each, to any worker.
type benchPool[T any] struct {
	items []T
	next  atomic.Int64
}

func (p *benchPool[T]) take() (T, bool) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.items)) {
		var zero T
		return zero, false
	}
	return p.items[i], true
}

// Endpoint names of --endpoints.
var benchEndpointNames = []string{"list", "show", "confirm", "relations", "urls"}

// maxListOffset is the largest offset ListAuthorizations accepts.
const maxListOffset = 65535

// defaultURL is casebook serve's default address.
const defaultURL = "http://127.0.0.1:8080"

// run is `casebook-bench run`.
func (m *Main) run(ctx context.Context, args []string) error {
	c := m.newCommand("run", "--users FILE [flags]", benchRunHelp)
	rawURL := c.String("url", defaultURL, "base `URL` of the server; only loopback hosts")
	usersPath := c.String("users", "", "users `file` written by casebook-bench seed (required)")
	r := &benchRun{stderr: m.Stderr}
	c.IntVar(&r.concurrency, "concurrency", 8, "concurrent workers (connections)")
	c.DurationVar(&r.duration, "duration", 30*time.Second, "how long to measure, at most 10m")
	c.DurationVar(&r.warmup, "warmup", 0, "load before measuring, not counted")
	c.Int64Var(&r.maxRequests, "requests", 0, "stop after this many measured requests (0: no limit)")
	c.IntVar(&r.prepare, "prepare", 3000, "pending authorizations, and relations, to prepare for confirm and relations")
	c.IntVar(&r.offset, "offset", -1, "fixed offset of list, capped at each user's deepest full page (-1: random)")
	c.IntVar(&r.limit, "limit", 10, "page size of list, 1 to 100")
	endpoints := c.String("endpoints", strings.Join(benchEndpointNames, ","), "comma-separated endpoints to drive: "+strings.Join(benchEndpointNames, ", "))
	c.StringVar(&r.role, "role", "all", "which users of the file drive the load: all, master (see their whole account), sub (see their own tickets) or group (sub-users in a group, listing with its group_id)")
	c.BoolVar(&r.aksk, "aksk", false, "sign requests with the users' AK/SK instead of sending tokens")
	c.IntVar(&r.serverPID, "server-pid", 0, "process `id` of the server (Linux): also report its CPU time per request")
	asJSON := c.Bool("json", false, "print the results as JSON")
	if err := c.parse(args, m.Stdout); err != nil {
		return err
	}

	var err error
	if r.base, err = loopbackURL(*rawURL); err != nil {
		return c.fail(err)
	}
	if err := r.checkFlags(*usersPath, *endpoints); err != nil {
		return c.fail(err)
	}
	if r.file, err = readBenchUsers(*usersPath); err != nil {
		return err
	}
	if r.role != "all" {
		r.file.Users = slices.DeleteFunc(r.file.Users, func(u benchUser) bool {
			return u.Master != (r.role == "master") || (r.role == "group" && u.GroupID == "")
		})
		if len(r.file.Users) == 0 {
			return fmt.Errorf("the users file lists no %s users", r.role)
		}
	}
	r.client = newLoopbackClient(r.concurrency)
	defer r.client.CloseIdleConnections()
	r.api = client.New(r.base.String(), r.client)

	started := time.Now()
	if err := r.prepareRun(ctx); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	r.logf("prepared in %s\n", time.Since(started).Round(time.Millisecond))

	res := r.drive(ctx)
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(m.Stdout)
	return nil
}

func (r *benchRun) checkFlags(usersPath, endpoints string) error {
	switch {
	case usersPath == "":
		return errors.New("--users is required: the file written by casebook-bench seed")
	case r.concurrency < 1 || r.concurrency > 1024:
		return fmt.Errorf("--concurrency must be between 1 and 1024, got %d", r.concurrency)
	case r.duration <= 0 || r.duration > 10*time.Minute:
		return fmt.Errorf("--duration must be positive and at most 10m, got %s", r.duration)
	case r.warmup < 0 || r.warmup > 5*time.Minute:
		return fmt.Errorf("--warmup must be between 0 and 5m, got %s", r.warmup)
	case r.maxRequests < 0:
		return errors.New("--requests must not be negative")
	case r.prepare < 0:
		return errors.New("--prepare must not be negative")
	case r.limit < 1 || r.limit > 100:
		return fmt.Errorf("--limit must be between 1 and 100, got %d", r.limit)
	case r.offset > maxListOffset:
		return fmt.Errorf("--offset must be at most %d, got %d", maxListOffset, r.offset)
	case r.role != "all" && r.role != "master" && r.role != "sub" && r.role != "group":
		return fmt.Errorf("--role must be all, master, sub or group, got %q", r.role)
	case r.serverPID < 0:
		return fmt.Errorf("--server-pid must not be negative, got %d", r.serverPID)
	}
	for _, name := range strings.Split(endpoints, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(benchEndpointNames, name) {
			return fmt.Errorf("--endpoints: unknown endpoint %q (known: %s)", name, strings.Join(benchEndpointNames, ", "))
		}
		if !slices.Contains(r.endpoints, name) {
			r.endpoints = append(r.endpoints, name)
		}
	}
	if len(r.endpoints) == 0 {
		return errors.New("--endpoints names no endpoint")
	}
	return nil
}

// loopbackURL parses the base URL and refuses any host but this machine's
// loopback: the benchmark must not be pointed at someone else's server.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url must be an http:// URL such as http://127.0.0.1:8080, got %q", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil, fmt.Errorf("--url must name a loopback address (127.0.0.1, ::1 or localhost): casebook-bench only loads a server on this machine, got host %q", host)
	}
	u.Path, u.RawQuery, u.Fragment = strings.TrimSuffix(u.Path, "/"), "", ""
	return u, nil
}

// newLoopbackClient returns a client whose connections can only reach
// loopback addresses (whatever "localhost" resolves to), which follows no
// redirects and uses no proxy.
func newLoopbackClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if ta, ok := conn.RemoteAddr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
				conn.Close()
				return nil, fmt.Errorf("casebook-bench only connects to loopback addresses; %s is %s", addr, conn.RemoteAddr())
			}
			return conn, nil
		},
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (r *benchRun) logf(format string, args ...any) { fmt.Fprintf(r.stderr, format, args...) }

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// parallel runs fn(0..n-1) on up to workers goroutines and returns the
// first error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, workers) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// prepareRun logs everyone in and builds what the endpoints need.
func (r *benchRun) prepareRun(ctx context.Context) error {
	r.logf("logging in %d users and engineer %s at %s\n", len(r.file.Users), r.file.Engineer.Name, r.base)
	r.customers = make([]*benchClient, len(r.file.Users))
	err := parallel(ctx, len(r.file.Users), r.concurrency, func(ctx context.Context, i int) error {
		u := r.file.Users[i]
		if r.aksk && (u.AccessKey == "" || u.SecretKey == "") {
			return fmt.Errorf("--aksk: user %s of %s has no access key in the users file", u.Name, u.AccountName)
		}
		tok, err := r.api.Login(ctx, u.AccountName, u.Name, u.Password)
		if err != nil {
			return fmt.Errorf("log in %s of %s: %w", u.Name, u.AccountName, err)
		}
		r.customers[i] = &benchClient{user: u, token: tok}
		return nil
	})
	if err != nil {
		return err
	}
	e := r.file.Engineer
	if r.engToken, err = r.api.LoginEngineer(ctx, e.Name, e.Password); err != nil {
		return fmt.Errorf("log in engineer %s: %w", e.Name, err)
	}

	// What each user sees: the total, and the ids of a few pages.
	err = parallel(ctx, len(r.customers), r.concurrency, func(ctx context.Context, i int) error {
		return r.explore(ctx, r.customers[i], mathrand.New(mathrand.NewPCG(uint64(i), 7)))
	})
	if err != nil {
		return err
	}
	visible := 0
	for _, c := range r.customers {
		visible += c.visible
	}
	if visible == 0 && (r.uses("list") || r.uses("show")) {
		return errors.New("the users of the users file see no authorizations: seed some with --authorizations")
	}

	if r.uses("confirm") {
		if err := r.prepareConfirms(ctx); err != nil {
			return err
		}
	}
	if r.uses("relations") {
		if err := r.prepareRelations(ctx); err != nil {
			return err
		}
	}
	if r.uses("urls") {
		if err := r.prepareUploads(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *benchRun) uses(endpoint string) bool { return slices.Contains(r.endpoints, endpoint) }

// explore finds how many authorizations c sees and collects the ids of a
// few pages of them and of their tickets.
func (r *benchRun) explore(ctx context.Context, c *benchClient, rng *mathrand.Rand) error {
	page, err := r.api.ListAuthorizations(ctx, c.token, client.AuthorizationQuery{Limit: 100, Offset: 0, GroupID: r.groupID(c)})
	if err != nil {
		return fmt.Errorf("list authorizations of %s: %w", c.user.Name, err)
	}
	c.visible = page.Count
	seenCase := map[string]bool{}
	collect := func(p *client.AuthorizationPage) {
		for _, a := range p.List {
			c.authIDs = append(c.authIDs, a.ID)
			if !seenCase[a.IncidentID] {
				seenCase[a.IncidentID] = true
				c.caseIDs = append(c.caseIDs, a.IncidentID)
			}
		}
	}
	collect(page)
	for range 4 {
		if c.visible <= 100 {
			break
		}
		off := rng.IntN(min(c.visible, maxListOffset) - 99)
		if page, err = r.api.ListAuthorizations(ctx, c.token, client.AuthorizationQuery{Limit: 100, Offset: off, GroupID: r.groupID(c)}); err != nil {
			return fmt.Errorf("list authorizations of %s: %w", c.user.Name, err)
		}
		collect(page)
	}
	return nil
}

// groupID returns the group_id that widens c's lists to its group with
// --role group, else nothing.
func (r *benchRun) groupID(c *benchClient) string {
	if r.role != "group" {
		return ""
	}
	return c.user.GroupID
}

// createTicket opens a ticket as c and returns its id.
func (r *benchRun) createTicket(ctx context.Context, c *benchClient, what string) (string, error) {
	id, err := r.api.CreateCase(ctx, c.token, benchCase(what))
	if err != nil {
		return "", fmt.Errorf("create ticket as %s: %w", c.user.Name, err)
	}
	return id, nil
}

// spread returns how many of n items user i of the run gets.
func (r *benchRun) spread(n, i int) int { return share(n, len(r.customers), i) }

// prepareConfirms has the engineer request access on fresh tickets of
// every user, --prepare requests in all, twenty per ticket.
func (r *benchRun) prepareConfirms(ctx context.Context) error {
	r.logf("preparing %d pending authorizations for confirm\n", r.prepare)
	type job struct {
		client *benchClient
		n      int
	}
	var jobs []job
	for i, c := range r.customers {
		for left := r.spread(r.prepare, i); left > 0; left -= 20 {
			jobs = append(jobs, job{c, min(left, 20)})
		}
	}
	perJob := make([][]benchConfirm, len(jobs))
	err := parallel(ctx, len(jobs), r.concurrency, func(ctx context.Context, i int) error {
		j := jobs[i]
		caseID, err := r.createTicket(ctx, j.client, "an engineer will ask for access")
		if err != nil {
			return err
		}
		for range j.n {
			out, err := r.api.RequestAuthorization(ctx, r.engToken, caseID, benchAccessRequest)
			if err != nil {
				return fmt.Errorf("request authorization: %w", err)
			}
			perJob[i] = append(perJob[i], benchConfirm{client: j.client, id: out.ID, detailID: out.DetailIDs[0]})
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.confirms.items = interleave(perJob)
	return nil
}

// prepareRelations opens fresh tickets for every user, each to receive
// three relations (the cap) to tickets the user already sees.
func (r *benchRun) prepareRelations(ctx context.Context) error {
	r.logf("preparing %d relations for relations\n", r.prepare)
	type job struct {
		client  *benchClient
		related []string
	}
	var jobs []job
	for i, c := range r.customers {
		n := r.spread(r.prepare, i)
		if n == 0 {
			continue
		}
		for len(c.caseIDs) < 3 {
			id, err := r.createTicket(ctx, c, "related ticket")
			if err != nil {
				return err
			}
			c.caseIDs = append(c.caseIDs, id)
		}
		rng := mathrand.New(mathrand.NewPCG(uint64(i), 11))
		for ; n > 0; n -= 3 {
			related := slices.Clone(c.caseIDs)
			rng.Shuffle(len(related), func(a, b int) { related[a], related[b] = related[b], related[a] })
			jobs = append(jobs, job{c, related[:min(n, 3)]})
		}
	}
	perJob := make([][]benchRelation, len(jobs))
	err := parallel(ctx, len(jobs), r.concurrency, func(ctx context.Context, i int) error {
		j := jobs[i]
		target, err := r.createTicket(ctx, j.client, "to be related to earlier tickets")
		if err != nil {
			return err
		}
		for _, rel := range j.related {
			perJob[i] = append(perJob[i], benchRelation{client: j.client, target: target, related: rel})
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.relations.items = interleave(perJob)
	return nil
}

// interleave takes one item of each list in turn, so that consecutive
// requests come from different users and tickets.
func interleave[T any](lists [][]T) []T {
	var out []T
	for i := 0; ; i++ {
		added := false
		for _, l := range lists {
			if i < len(l) {
				out = append(out, l[i])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// uploadsPerUser is how many attachments each user uploads for urls.
const uploadsPerUser = 10

// prepareUploads uploads small attachments as every user.
func (r *benchRun) prepareUploads(ctx context.Context) error {
	r.logf("uploading %d attachments for urls\n", uploadsPerUser*len(r.customers))
	ids := make([]string, uploadsPerUser*len(r.customers))
	err := parallel(ctx, len(ids), r.concurrency, func(ctx context.Context, i int) error {
		c := r.customers[i/uploadsPerUser]
		id, err := r.api.UploadAccessory(ctx, c.token, benchUpload(fmt.Sprintf("bench-%d.log", i%uploadsPerUser)))
		if err != nil {
			return fmt.Errorf("upload attachment as %s: %w", c.user.Name, err)
		}
		ids[i] = id
		return nil
	})
	if err != nil {
		return err
	}
	for i, c := range r.customers {
		c.accessoryIDs = ids[i*uploadsPerUser : (i+1)*uploadsPerUser]
	}
	return nil
}

// benchRequest is one measured request.
type benchRequest struct {
	client *benchClient
	method string
	path   string // with the query
	body   []byte
}

// nextRequest builds the next request of endpoint, or reports that the
// endpoint has nothing left to do.
func (r *benchRun) nextRequest(endpoint string, rng *mathrand.Rand, readers []*benchClient) (benchRequest, bool) {
	switch endpoint {
	case "list":
		c := readers[rng.IntN(len(readers))]
		// The deepest full page: the store must skip the most rows and
		// still count them all.
		deepest := max(0, min(c.visible-r.limit, maxListOffset))
		off := r.offset
		switch {
		case off >= 0:
			off = min(off, deepest)
		case rng.IntN(10) == 0:
			off = deepest
		default:
			off = rng.IntN(deepest + 1)
		}
		return benchRequest{client: c, method: "GET", path: client.AuthorizationsPath(client.AuthorizationQuery{Limit: r.limit, Offset: off, GroupID: r.groupID(c)})}, true
	case "show":
		c := readers[rng.IntN(len(readers))]
		return benchRequest{client: c, method: "GET", path: client.AuthorizationPath(c.authIDs[rng.IntN(len(c.authIDs))])}, true
	case "confirm":
		item, ok := r.confirms.take()
		if !ok {
			return benchRequest{}, false
		}
		body, _ := json.Marshal(benchGrant(item.detailID, time.Now()).Body())
		return benchRequest{client: item.client, method: "PUT", path: client.AuthorizationPath(item.id), body: body}, true
	case "relations":
		item, ok := r.relations.take()
		if !ok {
			return benchRequest{}, false
		}
		body, _ := json.Marshal(client.RelationsBody([]string{item.related}))
		return benchRequest{client: item.client, method: "POST", path: client.RelationsPath(item.target), body: body}, true
	case "urls":
		c := r.customers[rng.IntN(len(r.customers))]
		ids := slices.Clone(c.accessoryIDs)
		rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		return benchRequest{client: c, method: "GET", path: client.AccessURLsPath(ids[:1+rng.IntN(len(ids))])}, true
	}
	panic("unknown endpoint " + endpoint)
}

// httpRequest turns a benchRequest into an authenticated *http.Request.
func (r *benchRun) httpRequest(ctx context.Context, br benchRequest) (*http.Request, error) {
	return r.api.NewRequest(ctx, br.method, br.path, r.credential(br.client), br.body)
}

// credential is what c sends: its token, or with --aksk its AK/SK pair.
func (r *benchRun) credential(c *benchClient) client.Credential {
	if !r.aksk {
		return c.token
	}
	return client.AccessKey{ID: c.user.AccessKey, Secret: c.user.SecretKey, DomainID: c.user.AccountID}
}

// relationCapCode is the OSM error code of the 3-relation cap.
const relationCapCode = "OSM.01010043"

// workerStats is what one worker measured of one endpoint.
type workerStats struct {
	latencies []time.Duration
	errors    int
	capped    int
	samples   []string
}

// drive runs the workers and gathers their measurements.
func (r *benchRun) drive(ctx context.Context) *benchResult {
	var readers []*benchClient
	for _, c := range r.customers {
		if c.visible > 0 && len(c.authIDs) > 0 {
			readers = append(readers, c)
		}
	}
	mode := "token"
	if r.aksk {
		mode = "aksk"
	}
	r.logf("driving %s with %d workers for %s (%s)\n", strings.Join(r.endpoints, ","), r.concurrency, r.duration, mode)

	start := time.Now()
	measureFrom := start.Add(r.warmup)
	ctx, cancel := context.WithDeadline(ctx, measureFrom.Add(r.duration))
	defer cancel()

	// The server's CPU time over the measured window, read when it opens.
	type cpuReading struct {
		t   time.Duration
		err error
	}
	cpuStart := make(chan cpuReading, 1)
	if r.serverPID > 0 {
		go func() {
			time.Sleep(time.Until(measureFrom))
			t, err := processCPU(r.serverPID)
			cpuStart <- cpuReading{t, err}
		}()
	}

	var sent atomic.Int64
	var exhausted sync.Map // endpoint -> time it ran dry
	stats := make([]map[string]*workerStats, r.concurrency)
	var wg sync.WaitGroup
	for w := range r.concurrency {
		stats[w] = map[string]*workerStats{}
		for _, e := range r.endpoints {
			stats[w][e] = &workerStats{}
		}
		wg.Go(func() {
			rng := mathrand.New(mathrand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var buf bytes.Buffer
			for i := w; ctx.Err() == nil; i++ {
				endpoint := r.endpoints[i%len(r.endpoints)]
				if _, dry := exhausted.Load(endpoint); dry {
					if r.allExhausted(&exhausted) {
						return
					}
					continue
				}
				br, ok := r.nextRequest(endpoint, rng, readers)
				if !ok {
					exhausted.LoadOrStore(endpoint, max(0, time.Since(measureFrom)))
					continue
				}
				measured := !time.Now().Before(measureFrom)
				if measured && r.maxRequests > 0 && sent.Add(1) > r.maxRequests {
					return
				}
				status, latency, err := r.do(ctx, br, &buf)
				if ctx.Err() != nil && err != nil {
					return // cut off by the deadline: not an answer
				}
				if !measured {
					continue
				}
				s := stats[w][endpoint]
				s.latencies = append(s.latencies, latency)
				switch {
				case err == nil && status == http.StatusOK:
				case endpoint == "relations" && status == http.StatusBadRequest && bytes.Contains(buf.Bytes(), []byte(relationCapCode)):
					s.capped++
				default:
					s.errors++
					if len(s.samples) < 3 {
						if err != nil {
							s.samples = append(s.samples, fmt.Sprintf("%s %s: %v", br.method, br.path, err))
						} else {
							s.samples = append(s.samples, fmt.Sprintf("%s %s: status %d: %s", br.method, br.path, status, truncate(buf.Bytes(), 200)))
						}
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if elapsed < 0 {
		elapsed = 0
	}
	var serverCPU time.Duration
	var cpuErr error
	if r.serverPID > 0 {
		end, err := processCPU(r.serverPID)
		start := <-cpuStart
		serverCPU, cpuErr = end-start.t, errors.Join(start.err, err)
	}

	res := &benchResult{URL: r.base.String(), Mode: mode, Role: r.role, Concurrency: r.concurrency, Users: len(r.customers),
		Seconds: elapsed.Seconds(), Dataset: benchDataset{Accounts: r.file.Accounts, Tickets: r.file.Tickets, Authorizations: r.file.Authorizations}}
	var all []time.Duration
	for _, e := range r.endpoints {
		var lat []time.Duration
		es := benchEndpointResult{Endpoint: e}
		for w := range stats {
			s := stats[w][e]
			lat = append(lat, s.latencies...)
			es.Errors += s.errors
			es.Capped += s.capped
			res.ErrorSamples = append(res.ErrorSamples, s.samples...)
		}
		active := elapsed
		if at, ok := exhausted.Load(e); ok {
			// Its rate is over the time it had work.
			active = min(elapsed, at.(time.Duration))
			es.RanDryAfter = active.Round(time.Millisecond).String()
		}
		es.fill(lat, active)
		all = append(all, lat...)
		res.Endpoints = append(res.Endpoints, es)
	}
	res.Total = benchEndpointResult{Endpoint: "all"}
	for _, es := range res.Endpoints {
		res.Total.Errors += es.Errors
		res.Total.Capped += es.Capped
	}
	res.Total.fill(all, elapsed)
	if r.serverPID > 0 {
		if cpuErr != nil {
			r.logf("server CPU time: %v\n", cpuErr)
		} else if res.Total.Requests > 0 && elapsed > 0 {
			res.ServerCPUPerRequest = float64(serverCPU.Microseconds()) / float64(res.Total.Requests)
			res.ServerCPUCores = serverCPU.Seconds() / elapsed.Seconds()
		}
	}
	return res
}

// processCPU returns the user and system CPU time of a process so far,
// from /proc/PID/stat (Linux; clock ticks of 10 ms).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read the server's CPU time: %w", err)
	}
	// The fields after the command name, which is in parentheses: state
	// (field 3), ..., utime (14), stime (15).
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("read the server's CPU time: unexpected /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read the server's CPU time: %w", err)
		}
		ticks += n
	}
	const userHZ = 100 // the unit of /proc times on every Linux architecture Go runs on
	return time.Duration(ticks) * time.Second / userHZ, nil
}

func (r *benchRun) allExhausted(exhausted *sync.Map) bool {
	for _, e := range r.endpoints {
		if _, dry := exhausted.Load(e); !dry {
			return false
		}
	}
	return true
}

// do sends one request and reads the whole answer into buf.
func (r *benchRun) do(ctx context.Context, br benchRequest, buf *bytes.Buffer) (int, time.Duration, error) {
	buf.Reset()
	req, err := r.httpRequest(ctx, br)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	res, err := r.client.Do(req)
	if err != nil {
		return 0, time.Since(t0), err
	}
	_, err = buf.ReadFrom(res.Body)
	res.Body.Close()
	return res.StatusCode, time.Since(t0), err
}

// benchResult is what run prints.
type benchResult struct {
	URL          string                `json:"url"`
	Mode         string                `json:"mode"` // token or aksk
	Role         string                `json:"role"` // all, master, sub or group
	Concurrency  int                   `json:"concurrency"`
	Users        int                   `json:"users"`
	Seconds      float64               `json:"seconds"`
	Dataset      benchDataset          `json:"dataset"`
	Endpoints    []benchEndpointResult `json:"endpoints"`
	Total        benchEndpointResult   `json:"total"`
	ErrorSamples []string              `json:"error_samples,omitempty"`
	// With --server-pid: the server's CPU time per answered request, in
	// microseconds, and the cores it kept busy on average.
	ServerCPUPerRequest float64 `json:"server_cpu_us_per_request,omitempty"`
	ServerCPUCores      float64 `json:"server_cpu_cores,omitempty"`
}

type benchDataset struct {
	Accounts       int `json:"accounts"`
	Tickets        int `json:"tickets"`
	Authorizations int `json:"authorizations"`
}

// benchEndpointResult holds latencies in milliseconds.
type benchEndpointResult struct {
	Endpoint    string  `json:"endpoint"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Capped      int     `json:"capped,omitempty"` // relations refused by the 3-relation cap
	PerSecond   float64 `json:"per_second"`
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
	RanDryAfter string  `json:"ran_dry_after,omitempty"` // when its prepared pool was used up; PerSecond is over that time
}

func (es *benchEndpointResult) fill(lat []time.Duration, elapsed time.Duration) {
	es.Requests = len(lat)
	if elapsed > 0 {
		es.PerSecond = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	es.P50, es.P90, es.P99 = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.90)), ms(percentile(lat, 0.99))
	es.Max = ms(lat[len(lat)-1])
}

// percentile returns the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (res *benchResult) print(w io.Writer) {
	fmt.Fprintf(w, "%s, %s auth, %d workers, %d users (%s), %.1fs; dataset: %d accounts, %d tickets, %d authorizations\n\n",
		res.URL, res.Mode, res.Concurrency, res.Users, res.Role, res.Seconds, res.Dataset.Accounts, res.Dataset.Tickets, res.Dataset.Authorizations)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\trequests\terrors\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, es := range append(res.Endpoints, res.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", es.Endpoint, es.Requests, es.Errors, es.PerSecond, es.P50, es.P90, es.P99, es.Max)
	}
	tw.Flush()
	if res.ServerCPUPerRequest > 0 {
		fmt.Fprintf(w, "server CPU: %.0f µs per request, %.2f cores busy\n", res.ServerCPUPerRequest, res.ServerCPUCores)
	}
	for _, es := range res.Endpoints {
		if es.Capped > 0 {
			fmt.Fprintf(w, "%s: %d requests refused by the 3-relation cap (not counted as errors)\n", es.Endpoint, es.Capped)
		}
		if es.RanDryAfter != "" {
			fmt.Fprintf(w, "%s: its prepared pool ran dry after %s (req/s is over that time); raise --prepare\n", es.Endpoint, es.RanDryAfter)
		}
	}
	for _, s := range res.ErrorSamples {
		fmt.Fprintf(w, "error: %s\n", s)
	}
}

// benchCase is the ticket the benchmark opens.
func benchCase(what string) client.NewCase {
	return client.NewCase{BusinessTypeID: "1", IncidentSubTypeID: "2", SeverityID: "3", SimpleDescription: "Load benchmark: " + what}
}

// benchAccessRequest is what the engineer asks for.
var benchAccessRequest = client.AccessRequest{Describe: "SSH access to check the web servers (load benchmark).",
	InstanceID: "i-bench", InstanceName: "web-01", RegionID: "cn-north-4", Port: 22, Account: "root"}

// benchGrant is the answer of a customer to benchAccessRequest: a
// password, for an hour from now.
func benchGrant(detailID int64, now time.Time) client.Grant {
	return client.Grant{DetailID: detailID, Port: 22, Account: "root", Password: "bench-credential", From: now, Until: now.Add(time.Hour)}
}

// benchUpload is a small log file.
func benchUpload(name string) client.Upload {
	return client.Upload{FileName: name, ContentType: "text/plain",
		Content: bytes.Repeat([]byte("2026/11/23 08:14:02 [error] upstream timed out while reading response header\n"), 13)}
}
