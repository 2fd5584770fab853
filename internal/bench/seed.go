package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlstore"
)

const benchSeedHelp = `Loads a synthetic dataset straight into the store, fast (multi-row INSERTs,
thousands of rows per transaction): --accounts accounts, each with a master
user "admin", --users-per-account sub-users "user-001"... (the first half in
group "team"), --engineers support engineers, --tickets tickets and
--authorizations authorizations in total, spread evenly over the accounts.

Tickets have a realistic mix of statuses and creators, each with its first
message; authorizations sit on tickets an engineer handles, by that
engineer, with 1 to 3 detail items and a mix of statuses; times are spread
over the last year. Every user and engineer gets the same password (random
unless --password is given), hashed once.

It writes a JSON file (--out, mode 0600) with a few logins per account (the
master and two sub-users, each with an AK/SK pair) and one engineer, for
casebook-bench run. Use the same --data (or --master-key) for casebook serve,
or the AK/SK pairs will not verify.

--db accepts a bare SQLite path as well as sqlite:PATH and postgres:// URLs.`

// benchSeed is the shape of a dataset to seed.
type benchSeed struct {
	Accounts        int
	UsersPerAccount int // besides the master user
	Engineers       int
	Tickets         int // in total
	Authorizations  int // in total
	Batch           int // tickets or authorizations per transaction
	Prefix          string
	Now             time.Time
	PasswordHash    string // of every user and engineer

	rng *mathrand.Rand
}

// seed is `casebook-bench seed`.
func (m *Main) seed(ctx context.Context, args []string) error {
	c := m.newCommand("seed", "[flags]", benchSeedHelp)
	var store storeFlags
	store.register(c)
	var s benchSeed
	c.IntVar(&s.Accounts, "accounts", 10, "customer `accounts`")
	c.IntVar(&s.UsersPerAccount, "users-per-account", 10, "sub-users per account, besides the master user")
	c.IntVar(&s.Engineers, "engineers", 5, "support engineers")
	c.IntVar(&s.Tickets, "tickets", 20_000, "tickets in total")
	c.IntVar(&s.Authorizations, "authorizations", 100_000, "authorizations in total")
	c.IntVar(&s.Batch, "batch", 50_000, "tickets or authorizations per transaction: large transactions write each index page once for many rows")
	c.StringVar(&s.Prefix, "prefix", "bench", "`prefix` of account and engineer names; seed twice into one database with different prefixes")
	out := c.String("out", "", "users `file` to write (default DATA/bench-users.json)")
	password := c.String("password", "", "the password of every seeded user (default: random, written to the users file)")
	iterations := c.Int("hash-iterations", casebook.DefaultConfig().PasswordIterations, "PBKDF2 iterations of the password hash (tests use fewer)")
	cacheMiB := c.Int("cache-mib", 1024, "SQLite page cache of the loading connection, in `MiB`: the indexes should fit")
	var seed uint64
	c.Uint64Var(&seed, "seed", 0, "random `seed` of the dataset's shape (default: random); ids are random regardless")
	if err := c.parse(args, m.Stdout); err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return c.fail(err)
	}
	switch {
	case *cacheMiB < 1:
		return c.failf("--cache-mib must be at least 1, got %d", *cacheMiB)
	case *iterations < 1:
		return c.failf("--hash-iterations must be at least 1, got %d", *iterations)
	}
	if *password == "" {
		*password = rand.Text()
	} else if err := casebook.ValidatePassword(*password); err != nil {
		return c.failf("--password: %s", casebook.ErrorMessage(err))
	}
	store.fill(m.Getenv)
	if seed == 0 {
		seed = mathrand.Uint64()
	}
	s.rng = mathrand.New(mathrand.NewPCG(seed, seed>>1|1))

	logger := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opened, err := store.open(ctx, logger)
	if err != nil {
		return err
	}
	defer opened.store.Close()
	loader := opened.store
	if err := loader.PrepareBulk(ctx, *cacheMiB); err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(store.data, "bench-users.json")
	}
	if err := s.refuseIfSeeded(ctx, loader); err != nil {
		return err
	}

	if s.PasswordHash, err = casebook.HashPassword(*password, *iterations); err != nil {
		return err
	}
	s.Now = time.Now().UTC().Truncate(time.Millisecond)
	started := time.Now()
	ds, err := s.load(ctx, loader.BulkInsert, m.Stderr)
	if err != nil {
		return err
	}
	elapsed := time.Since(started)
	analyzed := time.Now()
	if err := loader.FinishBulk(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "planner statistics updated in %s\n", time.Since(analyzed).Round(time.Millisecond))

	file := &benchUsersFile{
		CreatedAt: s.Now, Database: opened.describe, Password: *password,
		Accounts: s.Accounts, UsersPerAccount: s.UsersPerAccount, Tickets: s.Tickets, Authorizations: s.Authorizations,
		Engineer: benchUser{Name: ds.engineers[0].Name, ID: ds.engineers[0].ID, Password: *password},
	}
	for _, a := range ds.accounts {
		for _, u := range a.listed() {
			ak, sk, err := opened.service.CreateAccessKey(ctx, u.ID, "casebook-bench")
			if err != nil {
				return fmt.Errorf("create access key: %w", err)
			}
			bu := benchUser{AccountName: a.account.Name, AccountID: a.account.ID, Name: u.Name, ID: u.ID,
				Password: *password, Master: u.IsMaster, AccessKey: ak.ID, SecretKey: sk}
			if a.inGroup(u) {
				bu.GroupID = a.group.ID
			}
			file.Users = append(file.Users, bu)
		}
	}
	if err := writeBenchUsers(*out, file); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Seeded %s: %d accounts, %d users, %d engineers, %d tickets, %d authorizations (%d rows with messages and details) in %s, %.0f rows/s.\n",
		opened.describe, s.Accounts, s.Accounts*(s.UsersPerAccount+1), s.Engineers, s.Tickets, s.Authorizations,
		ds.rows, elapsed.Round(time.Millisecond), float64(ds.rows)/elapsed.Seconds())
	fmt.Fprintf(m.Stdout, "Logins for casebook-bench run and soak: %s\n", *out)
	return nil
}

func (s *benchSeed) check() error {
	switch {
	case s.Accounts < 1:
		return errors.New("--accounts must be at least 1")
	case s.UsersPerAccount < 0:
		return errors.New("--users-per-account must not be negative")
	case s.Engineers < 1:
		return errors.New("--engineers must be at least 1")
	case s.Tickets < s.Accounts:
		return errors.New("--tickets must be at least --accounts: every account needs a ticket")
	case s.Authorizations < 0:
		return errors.New("--authorizations must not be negative")
	case s.Batch < 1:
		return errors.New("--batch must be at least 1")
	case s.Prefix == "":
		return errors.New("--prefix must not be empty: it starts every account and engineer name")
	}
	if err := casebook.ValidateName("account_name", s.accountName(s.Accounts-1)); err != nil {
		return fmt.Errorf("--prefix: %s", casebook.ErrorMessage(err))
	}
	return nil
}

func (s *benchSeed) accountName(i int) string  { return fmt.Sprintf("%s-%04d", s.Prefix, i+1) }
func (s *benchSeed) engineerName(i int) string { return fmt.Sprintf("%s-eng-%02d", s.Prefix, i+1) }

// refuseIfSeeded fails when the names of this prefix are taken: loading
// would fail half-way on the unique names.
func (s *benchSeed) refuseIfSeeded(ctx context.Context, store casebook.Store) error {
	return store.Read(ctx, func(tx casebook.Tx) error {
		if _, err := tx.FindAccountByName(ctx, s.accountName(0)); err == nil {
			return fmt.Errorf("account %q exists: this database is seeded with prefix %q already; use another --prefix or an empty database", s.accountName(0), s.Prefix)
		} else if casebook.ErrorCode(err) != casebook.ENOTFOUND {
			return err
		}
		if _, err := tx.FindEngineerByName(ctx, s.engineerName(0)); err == nil {
			return fmt.Errorf("engineer %q exists: use another --prefix", s.engineerName(0))
		} else if casebook.ErrorCode(err) != casebook.ENOTFOUND {
			return err
		}
		return nil
	})
}

// seededAccount is an account of the dataset with what the generator
// needs to remember: its users and the tickets an authorization may sit on.
type seededAccount struct {
	account *casebook.Account
	users   []*casebook.User // master first
	group   *casebook.Group
	members int          // users[1:members+1] are in the group
	cases   []seededCase // tickets an engineer has taken (authorizations go there)
	nCases  int          // tickets to generate
	nAuths  int          // authorizations to generate
}

// seededCase is what an authorization copies from its ticket.
type seededCase struct {
	id          string
	description string
	creator     int // index into users
	status      int
	engineer    int // index into the engineers
	createdAt   time.Time
}

// listed returns the users written to the users file: the master, the
// first sub-user (a group member) and the last one.
func (a *seededAccount) listed() []*casebook.User {
	out := []*casebook.User{a.users[0]}
	if len(a.users) > 1 {
		out = append(out, a.users[1])
	}
	if len(a.users) > 2 {
		out = append(out, a.users[len(a.users)-1])
	}
	return out
}

func (a *seededAccount) inGroup(u *casebook.User) bool {
	for _, m := range a.users[1 : a.members+1] {
		if m == u {
			return true
		}
	}
	return false
}

// dataset is what load generated.
type dataset struct {
	accounts  []*seededAccount
	engineers []*casebook.Engineer
	rows      int
}

// load generates the dataset and inserts it batch by batch: identities,
// then tickets, then authorizations. Generation runs ahead of insertion
// by a couple of batches, so both cores are busy.
func (s *benchSeed) load(ctx context.Context, insert func(context.Context, *sqlstore.Bulk) error, stderr io.Writer) (*dataset, error) {
	ds := &dataset{}
	ids := s.identities(ds)
	if err := insert(ctx, ids); err != nil {
		return nil, fmt.Errorf("insert accounts and users: %w", err)
	}
	ds.rows += ids.Rows()

	progress := newProgressBar(stderr, int64(s.Tickets+s.Authorizations))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *sqlstore.Bulk, 2)
	go func() {
		defer close(batches)
		s.generate(ctx, ds, batches)
	}()
	for b := range batches {
		if err := insert(ctx, b); err != nil {
			progress.Finish()
			return nil, fmt.Errorf("bulk insert: %w", err)
		}
		ds.rows += b.Rows()
		progress.Add(int64(len(b.Cases) + len(b.Authorizations)))
	}
	progress.Finish()
	return ds, ctx.Err()
}

// identities returns the accounts, users, groups and engineers.
func (s *benchSeed) identities(ds *dataset) *sqlstore.Bulk {
	b := &sqlstore.Bulk{}
	created := s.Now.AddDate(-1, 0, -7)
	for i := range s.Engineers {
		e := &casebook.Engineer{ID: casebook.NewHexID(), Name: s.engineerName(i), PasswordHash: s.PasswordHash,
			Enabled: true, Epoch: 1, CreatedAt: created}
		ds.engineers = append(ds.engineers, e)
		b.Engineers = append(b.Engineers, e)
	}
	for i := range s.Accounts {
		acc := &casebook.Account{ID: casebook.NewHexID(), Name: s.accountName(i), CreatedAt: created}
		a := &seededAccount{account: acc, members: s.UsersPerAccount / 2,
			nCases: share(s.Tickets, s.Accounts, i), nAuths: share(s.Authorizations, s.Accounts, i)}
		a.users = append(a.users, &casebook.User{ID: casebook.NewHexID(), AccountID: acc.ID, Name: "admin",
			PasswordHash: s.PasswordHash, IsMaster: true, Enabled: true, Epoch: 1, CreatedAt: created})
		for j := range s.UsersPerAccount {
			a.users = append(a.users, &casebook.User{ID: casebook.NewHexID(), AccountID: acc.ID, Name: fmt.Sprintf("user-%03d", j+1),
				PasswordHash: s.PasswordHash, Enabled: true, Epoch: 1, CreatedAt: created})
		}
		a.group = &casebook.Group{ID: casebook.NewHexID(), AccountID: acc.ID, Name: "team", CreatedAt: created}
		b.Accounts = append(b.Accounts, acc)
		b.Users = append(b.Users, a.users...)
		b.Groups = append(b.Groups, a.group)
		for _, u := range a.users[1 : a.members+1] {
			b.Members = append(b.Members, sqlstore.BulkMember{AccountID: acc.ID, GroupID: a.group.ID, UserID: u.ID})
		}
		ds.accounts = append(ds.accounts, a)
	}
	return b
}

// share returns account i's part of total spread over n accounts.
func share(total, n, i int) int {
	q := total / n
	if i < total%n {
		q++
	}
	return q
}

// generate sends the tickets, then the authorizations, in batches.
func (s *benchSeed) generate(ctx context.Context, ds *dataset, out chan<- *sqlstore.Bulk) {
	b := &sqlstore.Bulk{}
	send := func() bool {
		if len(b.Cases)+len(b.Authorizations) == 0 {
			return true
		}
		select {
		case out <- b:
			b = &sqlstore.Bulk{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, a := range ds.accounts {
		for range a.nCases {
			c, first, sc := s.newCase(a, ds.engineers)
			b.Cases = append(b.Cases, c)
			b.Messages = append(b.Messages, first)
			if sc != nil {
				a.cases = append(a.cases, *sc)
			}
			if len(b.Cases) == s.Batch && !send() {
				return
			}
		}
	}
	if !send() {
		return
	}
	for _, a := range ds.accounts {
		if len(a.cases) == 0 {
			// Every ticket of the account is waiting for an engineer:
			// nothing an authorization could sit on.
			continue
		}
		for range a.nAuths {
			b.Authorizations = append(b.Authorizations, s.newAuthorization(a, ds.engineers))
			if len(b.Authorizations) == s.Batch && !send() {
				return
			}
		}
	}
	send()
}

// Ticket statuses with their share in percent.
var benchCaseStatuses = []struct{ status, percent int }{
	{casebook.CaseStatusPendingAcceptance, 5},
	{casebook.CaseStatusProcessing, 30},
	{casebook.CaseStatusPendingFeedback, 15},
	{casebook.CaseStatusPendingConfirm, 10},
	{casebook.CaseStatusCompleted, 28},
	{casebook.CaseStatusCancelled, 10},
	{casebook.CaseStatusDeleted, 2},
}

var benchDescriptions = []string{
	"Our web servers return 502 Bad Gateway since this morning's upgrade; the load balancer health checks fail intermittently.",
	"The RDS instance is at 100% CPU during the nightly batch and queries time out after 30 seconds.",
	"We cannot attach the new EVS disk to instance {host}: the console says the operation is not allowed.",
	"How do we raise the ECS instance quota in cn-north-4? We need 40 more instances before Friday.",
	"Please send the October invoice to billing@example.com and explain the OBS traffic charges.",
	"SSH to {host} hangs after authentication; the serial console shows the root filesystem is full.",
	"The CCE cluster's worker nodes go NotReady every few hours and pods are evicted.",
	"DNS resolution inside the VPC fails for our private zone since the route table change.",
}

var benchRegions = []string{"cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1", "eu-west-101"}

// newCase returns a ticket, its first message and, if an engineer has
// taken it, what its authorizations copy.
func (s *benchSeed) newCase(a *seededAccount, engineers []*casebook.Engineer) (*casebook.Case, *casebook.Message, *seededCase) {
	r := s.rng
	created := s.Now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Millisecond)
	creator := r.IntN(len(a.users))
	u := a.users[creator]
	status := pickPercent(r, benchCaseStatuses)
	business := fmt.Sprint(1 + r.IntN(4))
	region := ""
	if caseType, _ := casebook.BusinessCaseType(business); caseType == casebook.BusinessCaseFault || r.IntN(2) == 0 {
		region = benchRegions[r.IntN(len(benchRegions))]
	}
	desc := benchDescriptions[r.IntN(len(benchDescriptions))]
	desc = strings.ReplaceAll(desc, "{host}", fmt.Sprintf("ecs-%04d", r.IntN(10000)))
	c := &casebook.Case{
		ID:                casebook.NewCaseID(created),
		AccountID:         a.account.ID,
		CreatorID:         u.ID,
		CreatorName:       u.Name,
		BusinessTypeID:    business,
		IncidentSubTypeID: fmt.Sprint(1 + r.IntN(6)),
		RegionID:          region,
		SeverityID:        fmt.Sprint(1 + r.IntN(4)),
		SourceID:          casebook.SourceAPI,
		SimpleDescription: desc,
		Status:            status,
		CreatedAt:         created,
		UpdatedAt:         created,
	}
	var sc *seededCase
	if status != casebook.CaseStatusPendingAcceptance {
		e := r.IntN(len(engineers))
		c.AssigneeID, c.AssigneeName = engineers[e].ID, engineers[e].Name
		c.UpdatedAt = between(r, created, s.Now)
		sc = &seededCase{id: c.ID, description: desc, creator: creator, status: status, engineer: e, createdAt: created}
	}
	if !casebook.CaseIsOpen(status) {
		done := c.UpdatedAt
		c.ConfirmedAt = &done
	}
	first := &casebook.Message{ID: casebook.NewMessageID(), AccountID: c.AccountID, CaseID: c.ID,
		Type: casebook.MessageFromCustomer, AuthorID: u.ID, AuthorName: u.Name, Content: desc, IsFirst: true, CreatedAt: created}
	return c, first, sc
}

// Authorization statuses with their share in percent, on open tickets;
// on ended tickets pending requests are withdrawn and grants cancelled.
var benchAuthStatuses = []struct{ status, percent int }{
	{casebook.AuthStatusPending, 10},
	{casebook.AuthStatusAuthorized, 6},
	{casebook.AuthStatusRejected, 14},
	{casebook.AuthStatusExpired, 35},
	{casebook.AuthStatusWithdrawn, 15},
	{casebook.AuthStatusCancelled, 20},
}

// benchAccess is one kind of access an engineer asks for: the resource
// and visit types and what a detail item looks like.
var benchAccess = []struct {
	resource, visit, content string
	detailType, port         int
	account, describe        string
}{
	{"1", "1", "1", casebook.AuthDetailHost, 22, "root", "SSH access to inspect the web servers' configuration and logs."},
	{"1", "2", "1", casebook.AuthDetailHost, 3389, "Administrator", "RDP access to the Windows jump host to check the event log."},
	{"2", "4", "3", casebook.AuthDetailConsole, 0, "", "Read-only console access to review the quota and network settings."},
	{"3", "6", "1", casebook.AuthDetailHost, 5432, "postgres", "Database client access to analyse the slow queries."},
	{"4", "1", "2", casebook.AuthDetailHost, 6443, "kube-admin", "Access to the cluster API to inspect the failing nodes."},
}

// newAuthorization returns an authorization on a random taken ticket of
// the account, by the ticket's engineer, valid for its status.
func (s *benchSeed) newAuthorization(a *seededAccount, engineers []*casebook.Engineer) sqlstore.BulkAuthorization {
	r := s.rng
	c := &a.cases[r.IntN(len(a.cases))]
	e := engineers[c.engineer]
	creator := a.users[c.creator]
	kind := benchAccess[r.IntN(len(benchAccess))]
	created := between(r, c.createdAt, s.Now)
	au := &casebook.Authorization{
		ID:              casebook.NewAuthorizationID(created),
		AccountID:       a.account.ID,
		CaseID:          c.id,
		ResourceTypeID:  kind.resource,
		VisitTypeID:     kind.visit,
		ContentTypeID:   kind.content,
		Describe:        kind.describe,
		EngineerID:      e.ID,
		EngineerName:    e.Name,
		CreatedAt:       created,
		UpdatedAt:       created,
		CaseCreatorID:   creator.ID,
		CaseCreatorName: creator.Name,
		CaseDescription: c.description,
	}
	for i := range 1 + r.IntN(3) {
		d := casebook.AuthDetail{Type: kind.detailType, Port: kind.port, Account: kind.account,
			RegionID: benchRegions[r.IntN(len(benchRegions))]}
		if kind.detailType == casebook.AuthDetailHost {
			d.InstanceID = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
			d.InstanceName = fmt.Sprintf("ecs-%04d-%d", r.IntN(10000), i+1)
		} else {
			d.InstanceName = "Huawei Cloud console"
		}
		au.Details = append(au.Details, d)
	}

	status := pickPercent(r, benchAuthStatuses)
	if !casebook.CaseIsOpen(c.status) {
		switch status {
		case casebook.AuthStatusPending:
			status = casebook.AuthStatusWithdrawn
		case casebook.AuthStatusAuthorized:
			status = casebook.AuthStatusCancelled
		}
	}
	handle := func() { au.HandlerID, au.HandlerName = creator.ID, creator.Name }
	grant := func(start, end time.Time) {
		au.EffectiveAt, au.ExpireAt = &start, &end
		// A grant without a password needs an agency; no credentials
		// are seeded, so every grant names one.
		au.AgencyID, au.AgencyName = "bench-agency", "bench-agency"
		handle()
	}
	switch status {
	case casebook.AuthStatusAuthorized:
		// In force now, for at most a few days.
		start := maxTime(created, s.Now.Add(-time.Duration(r.Int64N(int64(24*time.Hour)))))
		end := s.Now.Add(time.Hour + time.Duration(r.Int64N(int64(4*24*time.Hour))))
		grant(start.Truncate(time.Millisecond), end.Truncate(time.Millisecond))
		au.UpdatedAt = start.Truncate(time.Millisecond)
	case casebook.AuthStatusExpired:
		start := created.Add(time.Duration(r.Int64N(int64(12 * time.Hour)))).Truncate(time.Millisecond)
		end := start.Add(time.Hour + time.Duration(r.Int64N(int64(3*24*time.Hour)))).Truncate(time.Millisecond)
		if !end.Before(s.Now) {
			// Too recent to have run out: the customer refused instead.
			status = casebook.AuthStatusRejected
			break
		}
		grant(start, end)
		au.UpdatedAt = end
	}
	switch status {
	case casebook.AuthStatusRejected:
		handle()
		au.RejectReason = "Not needed: we found the cause ourselves."
		au.UpdatedAt = between(r, created, s.Now)
	case casebook.AuthStatusCancelled:
		handle()
		au.UpdatedAt = between(r, created, s.Now)
	case casebook.AuthStatusWithdrawn:
		au.UpdatedAt = between(r, created, s.Now)
	}
	au.Status = status
	return sqlstore.BulkAuthorization{Authorization: au, CaseDeleted: c.status == casebook.CaseStatusDeleted}
}

func pickPercent(r *mathrand.Rand, table []struct{ status, percent int }) int {
	n := r.IntN(100)
	for _, e := range table {
		if n < e.percent {
			return e.status
		}
		n -= e.percent
	}
	return table[len(table)-1].status
}

// between returns a random time in [from, to], to the millisecond.
func between(r *mathrand.Rand, from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(to.Sub(from)) + 1))).Truncate(time.Millisecond)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// progressBar draws "[=====>    ] 43% 430000/1000000 12.3k rows/s ETA 1m10s"
// on one line of w, at most a few times a second.
type progressBar struct {
	w       io.Writer
	total   int64
	done    int64
	started time.Time
	drawn   time.Time
	// drawnDone is done as last drawn.
	drawnDone int64
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	return &progressBar{w: w, total: max(total, 1), started: time.Now()}
}

// Add counts n more rows and redraws if the last drawing is old enough.
func (p *progressBar) Add(n int64) {
	p.done += n
	if time.Since(p.drawn) >= 200*time.Millisecond {
		p.draw()
	}
}

// Finish draws the final state, unless it is on screen already, and ends
// the line.
func (p *progressBar) Finish() {
	if p.drawnDone != p.done || p.drawn.IsZero() {
		p.draw()
	}
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw() {
	p.drawn, p.drawnDone = time.Now(), p.done
	const width = 30
	frac := min(float64(p.done)/float64(p.total), 1)
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	elapsed := time.Since(p.started)
	rate := float64(p.done) / max(elapsed.Seconds(), 1e-9)
	eta := "-"
	if rate > 0 && p.done < p.total {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	} else if p.done >= p.total {
		eta = "0s"
	}
	fmt.Fprintf(p.w, "\r[%s] %3.0f%% %d/%d %s rows/s ETA %-8s", bar, frac*100, p.done, p.total, humanRate(rate), eta)
}

// humanRate prints 950, 12.3k or 1.2M.
func humanRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}
