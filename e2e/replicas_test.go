package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casebook/casebook/internal/client"
)

// baseURL stands for the load balancer in front of the replicas: download
// links name it, and the test sends them to whichever replica it likes.
const baseURL = "http://casebook.invalid"

// TestReplicas runs the documented multi-replica deployment with real
// processes: two `casebook serve` on one PostgreSQL database, one S3
// bucket and one master key, nothing else shared, and checks that a client
// cannot tell which replica answers, including when they race.
// principalCache is the replicas' --principal-cache: shorter than the
// default 5s, so that the test of a disabled user also proves the flag.
const principalCache = time.Second

func TestReplicas(t *testing.T) {
	dsn, db := freshDatabase(t)
	store, bucket := freshBucket(t)
	bin := buildCasebook(t)

	masterKey := randomHex(32)
	c := &cluster{
		bin: bin,
		tmp: t.TempDir(),
		flags: []string{
			"--db", dsn,
			"--blobs", fmt.Sprintf("s3://%s/e2e?endpoint=%s&insecure=true&region=us-east-1", bucket.Bucket, bucket.Endpoint),
		},
		env: []string{
			"CASEBOOK_MASTER_KEY=" + masterKey,
			"CASEBOOK_S3_ACCESS_KEY=" + bucket.AccessKey,
			"CASEBOOK_S3_SECRET_KEY=" + bucket.SecretKey,
		},
	}

	// The operator's set-up, with the admin commands on the shared store.
	adminPassword, alicePassword, evePassword := "admin-"+randomHex(8), "alice-"+randomHex(8), "eve-"+randomHex(8)
	var account struct {
		ID string `json:"account_id"`
	}
	c.admin(t, &account, []string{"CASEBOOK_PASSWORD=" + adminPassword}, "account", "create", "--name", "acme")
	var alice struct {
		ID string `json:"user_id"`
	}
	c.admin(t, &alice, []string{"CASEBOOK_PASSWORD=" + alicePassword}, "user", "create", "--account", "acme", "--name", "alice")
	var eve struct {
		ID string `json:"engineer_id"`
	}
	c.admin(t, &eve, []string{"CASEBOOK_PASSWORD=" + evePassword}, "engineer", "create", "--name", "eve")
	var key struct {
		AK string `json:"access_key"`
		SK string `json:"secret_key"`
	}
	c.admin(t, &key, nil, "accesskey", "create", "--account", "acme", "--user", "alice")
	if account.ID == "" || alice.ID == "" || eve.ID == "" || key.AK == "" || key.SK == "" {
		t.Fatalf("admin commands: account %q, alice %q, eve %q, access key %q", account.ID, alice.ID, eve.ID, key.AK)
	}

	// Two replicas, started together (they race for the migration lock),
	// each with a data directory of its own that it must not create.
	serveFlags := []string{"--sweep-interval", "1s", "--base-url", baseURL, "--principal-cache", principalCache.String()}
	a := startReplica(t, c, "A", serveFlags...)
	b := startReplica(t, c, "B", serveFlags...)
	a.waitListening(t)
	b.waitListening(t)
	a.waitReady(t)
	b.waitReady(t)
	replicas := []*replica{a, b}
	for _, r := range replicas {
		if _, err := os.Stat(r.dataDir); !os.IsNotExist(err) {
			t.Errorf("replica %s created its data directory %s (stat: %v): a replica on PostgreSQL and S3 must be stateless", r.name, r.dataDir, err)
		}
	}

	admin := customerLogin(t, a, "acme", "admin", adminPassword)
	signer := client.AccessKey{ID: key.AK, Secret: key.SK, DomainID: account.ID}
	engineer := engineerLogin(t, b, "eve", evePassword)

	// Every secret the test handed out, to look for in the replicas' logs.
	secrets := map[string]string{
		"admin password": adminPassword, "alice password": alicePassword, "eve password": evePassword,
		"secret key": key.SK, "customer token": string(admin), "engineer token": string(engineer),
		"master key": masterKey, "S3 secret key": bucket.SecretKey,
	}
	addSecret := func(name, value string) { secrets[name] = value }

	t.Run("TokensAndSignatures", func(t *testing.T) {
		// A's token, introspected and used on B.
		req, _ := http.NewRequest("GET", b.URL+"/v3/auth/tokens", nil)
		req.Header.Set("X-Auth-Token", string(admin))
		req.Header.Set("X-Subject-Token", string(admin))
		res, err := roundTrip(sharedClient, req)
		if err != nil || res.Status != http.StatusOK {
			t.Fatalf("B validating A's token: %v %s", err, res)
		}
		caseID := createCase(t, b, admin, "opened through B with a token from A")
		if res := expect(t, http.StatusOK, admin, "GET", a.URL+"/v2/servicerequest/cases/"+caseID, nil); !bytes.Contains(res.Body, []byte(caseID)) {
			t.Errorf("A does not show the ticket opened through B: %s", res)
		}
		// B checks the token rather than accepting anything.
		tok := string(admin)
		forged := client.Token(tok[:len(tok)-2] + flip(tok[len(tok)-2:]))
		if res := do(t, forged, "GET", b.URL+"/v2/servicerequest/cases", nil); res.Status != http.StatusUnauthorized || res.errorCode() != "APIGW.0301" {
			t.Errorf("B accepted a forged token: %s", res)
		}

		// Alice's access key (created by the admin command, its secret
		// sealed with the shared key) signs requests both replicas accept.
		signedCase := createCase(t, a, signer, "opened through A with an AK/SK signature")
		for _, r := range replicas {
			if res := expect(t, http.StatusOK, signer, "GET", r.URL+"/v2/servicerequest/cases/"+signedCase, nil); !bytes.Contains(res.Body, []byte(signedCase)) {
				t.Errorf("signed ShowCaseDetail through %s: %s", r.name, res)
			}
			if res := expect(t, http.StatusOK, signer, "GET", r.URL+"/v2/servicerequest/cases?limit=100", nil); !bytes.Contains(res.Body, []byte(signedCase)) {
				t.Errorf("signed ListCases through %s lacks %s: %s", r.name, signedCase, res)
			}
		}
		wrongKey := client.AccessKey{ID: key.AK, Secret: flip(key.SK), DomainID: account.ID}
		if res := do(t, wrongKey, "GET", b.URL+"/v2/servicerequest/cases", nil); res.Status != http.StatusUnauthorized || res.errorCode() != "APIGW.0301" {
			t.Errorf("B accepted a request signed with the wrong secret key: %s", res)
		}

		// The engineer's token from B works on A.
		if res := expect(t, http.StatusOK, engineer, "GET", a.URL+"/support/v1/cases/"+signedCase, nil); !bytes.Contains(res.Body, []byte(signedCase)) {
			t.Errorf("A with B's engineer token: %s", res)
		}
	})

	t.Run("AttachmentsAndLinks", func(t *testing.T) {
		before := countObjects(t, store, "e2e/")
		content := []byte(randomHex(48 << 10)) // 96 KiB of text
		id := upload(t, a, admin, "report.txt", content)
		if n := countObjects(t, store, "e2e/"); n != before+1 {
			t.Errorf("objects under e2e/ in the bucket: %d before the upload through A, %d after; want one more", before, n)
		}

		res := expect(t, http.StatusOK, admin, "GET", b.URL+"/v2/servicerequest/accessorys/"+id, nil)
		if !bytes.Equal(res.Body, content) {
			t.Errorf("download through B: %d bytes, want the %d uploaded through A", len(res.Body), len(content))
		}

		var urls struct {
			List []struct {
				ID  string `json:"accessory_id"`
				URL string `json:"accessory_url"`
			} `json:"accessory_urls"`
		}
		expect(t, http.StatusOK, admin, "GET", a.URL+"/v2/servicerequest/accessorys/access-urls?accessory_ids="+id, nil).decode(t, &urls)
		if len(urls.List) != 1 || urls.List[0].ID != id || !strings.HasPrefix(urls.List[0].URL, baseURL+"/files/") {
			t.Fatalf("access-urls through A: %+v; want one link under %s/files/", urls.List, baseURL)
		}
		link := urls.List[0].URL
		addSecret("download link", link[strings.Index(link, "?"):])
		path := strings.TrimPrefix(link, baseURL)
		res = expect(t, http.StatusOK, nil, "GET", b.URL+path, nil)
		if !bytes.Equal(res.Body, content) {
			t.Errorf("A's link served by B: %d bytes, want the %d uploaded", len(res.Body), len(content))
		}
		// B checks the link's signature rather than serving any id.
		tampered := path[:len(path)-2] + flip(path[len(path)-2:])
		if res := do(t, nil, "GET", b.URL+tampered, nil); res.Status != http.StatusForbidden {
			t.Errorf("B served a link with a tampered signature: %s", res)
		}
	})

	t.Run("RelationCapAcrossReplicas", func(t *testing.T) {
		mainCase := createCase(t, a, admin, "the ticket everyone relates to")
		const racers = 40
		related := make([]string, racers)
		for i := range related {
			related[i] = createCase(t, replicas[i%2], admin, fmt.Sprintf("related ticket %d", i))
		}

		results := make([]response, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				results[i], errs[i] = send(admin, "POST", replicas[i%2].URL+"/v2/servicerequest/cases/"+mainCase+"/relations",
					map[string]any{"related_id_list": []string{related[i]}})
			})
		}
		close(start)
		wg.Wait()

		var won []string
		for i, res := range results {
			switch {
			case errs[i] != nil:
				t.Errorf("racer %d through %s: %v", i, replicas[i%2].name, errs[i])
			case res.Status == http.StatusOK:
				won = append(won, related[i])
				t.Logf("relation to %s created through %s", related[i], replicas[i%2].name)
			case res.Status == http.StatusBadRequest && res.errorCode() == "OSM.01010043":
			default:
				t.Errorf("racer %d through %s: %s; want 200 or 400 OSM.01010043", i, replicas[i%2].name, res)
			}
		}
		if len(won) != 3 {
			t.Fatalf("%d of %d racing CreateRelations succeeded, want exactly 3", len(won), racers)
		}
		sort.Strings(won)
		for _, r := range replicas {
			var list struct {
				Relations []struct {
					CaseID string `json:"case_id"`
				} `json:"case_relation_list"`
			}
			expect(t, http.StatusOK, admin, "GET", r.URL+"/v2/servicerequest/cases/"+mainCase+"/relations", nil).decode(t, &list)
			var got []string
			for _, rel := range list.Relations {
				got = append(got, rel.CaseID)
			}
			sort.Strings(got)
			if !slices.Equal(got, won) {
				t.Errorf("ListRelation through %s: %v, want the 3 that succeeded %v", r.name, got, won)
			}
		}
		var stored int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM relations WHERE case_id = $1`, mainCase).Scan(&stored); err != nil {
			t.Fatal(err)
		} else if stored != 3 {
			t.Errorf("relations rows of %s in the database: %d, want 3", mainCase, stored)
		}
		// After the race: a duplicate is a conflict, anything new the cap.
		if res := do(t, admin, "POST", b.URL+"/v2/servicerequest/cases/"+mainCase+"/relations", map[string]any{"related_id_list": []string{won[0]}}); res.Status != http.StatusConflict {
			t.Errorf("relating %s again through B: %s; want 409", won[0], res)
		}
		if res := do(t, admin, "POST", a.URL+"/v2/servicerequest/cases/"+mainCase+"/relations", map[string]any{"related_id_list": []string{createCase(t, b, admin, "one more")}}); res.Status != http.StatusBadRequest || res.errorCode() != "OSM.01010043" {
			t.Errorf("a fourth relation through A: %s; want 400 OSM.01010043", res)
		}
	})

	t.Run("AuthorizationStateMachineAcrossReplicas", func(t *testing.T) {
		caseID := createCase(t, a, admin, "the engineer needs SSH access")
		// The first n race confirm (A) against reject (B); the next n also
		// against the engineer's withdraw (alternately on A and B).
		const n = 8
		aus, ids := make([]authorization, 2*n), make([]string, 2*n)
		passwords := make([]string, 2*n)
		for i := range ids {
			aus[i] = requestAuthorization(t, replicas[i%2], engineer, caseID)
			ids[i] = aus[i].ID
			passwords[i] = "ssh-" + randomHex(8)
			addSecret("grant password "+ids[i], passwords[i])
		}

		type race struct{ confirm, reject, withdraw response }
		races := make([]race, len(ids))
		var errMu sync.Mutex
		var errs []error
		report := func(err error) {
			errMu.Lock()
			defer errMu.Unlock()
			errs = append(errs, err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				<-start
				res, err := send(admin, "PUT", a.URL+"/v2/servicerequest/authorizations/"+id, confirmBody(aus[i], passwords[i], time.Hour))
				if err != nil {
					report(err)
				}
				races[i].confirm = res
			})
			wg.Go(func() {
				<-start
				res, err := send(admin, "PUT", b.URL+"/v2/servicerequest/authorizations/"+id+"/action?action_id=reject", map[string]string{"reject_reason": "not now"})
				if err != nil {
					report(err)
				}
				races[i].reject = res
			})
			if i >= n {
				wg.Go(func() {
					<-start
					res, err := send(engineer, "POST", replicas[i%2].URL+"/support/v1/authorizations/"+id+"/withdraw", nil)
					if err != nil {
						report(err)
					}
					races[i].withdraw = res
				})
			}
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("racing requests failed: %v", errs)
		}

		want := make([]int, len(ids))       // final status
		confirmed := make([]bool, len(ids)) // the confirmation took effect
		outcomes := map[string]int{}        // who won how often, for the log
		defer func() { t.Logf("race outcomes: %v", outcomes) }()
		for i, id := range ids {
			rc := races[i]
			ok := func(res response) bool { return res.Status == http.StatusOK }
			var winners []string
			for what, res := range map[string]response{"confirm": rc.confirm, "reject": rc.reject, "withdraw": rc.withdraw} {
				switch {
				case ok(res):
					winners = append(winners, what)
				case res.Status == 0: // no withdraw in this race
				case res.Status != http.StatusConflict || res.errorCode() != "OSM.01010014":
					t.Errorf("%s %s: %s; want 200 or 409 OSM.01010014", what, id, res)
				}
			}
			confirmed[i] = ok(rc.confirm)
			sort.Strings(winners)
			outcomes[fmt.Sprintf("%d-way %s", 2+i/n, strings.Join(winners, "+"))]++
			if i < n {
				// Only one answer to a pending request can win.
				switch {
				case ok(rc.confirm) && !ok(rc.reject):
					want[i] = 1
				case ok(rc.reject) && !ok(rc.confirm):
					want[i] = 2
				default:
					t.Errorf("%s: confirm on A %d, reject on B %d: want exactly one to succeed", id, rc.confirm.Status, rc.reject.Status)
					continue
				}
			} else {
				// The withdraw also ends a grant, so confirm-then-withdraw is
				// a legal history; every other pair of successes is not.
				switch {
				case ok(rc.reject) && !ok(rc.confirm) && !ok(rc.withdraw):
					want[i] = 2
				case ok(rc.withdraw) && !ok(rc.reject):
					want[i] = 4
				default:
					t.Errorf("%s: confirm on A %d, reject on B %d, withdraw %d: no serial order gives these answers", id, rc.confirm.Status, rc.reject.Status, rc.withdraw.Status)
					continue
				}
			}
			for _, r := range replicas {
				if got := customerStatus(t, r, admin, id); got != want[i] {
					t.Errorf("%s through %s (customer): status %d, want %d (confirm %d, reject %d, withdraw %d)", id, r.name, got, want[i], rc.confirm.Status, rc.reject.Status, rc.withdraw.Status)
				}
				if got := engineerStatus(t, r, engineer, id); got != want[i] {
					t.Errorf("%s through %s (engineer): status %d, want %d", id, r.name, got, want[i])
				}
			}
			// A grant confirmed on A is readable on B: the password sealed
			// by one replica is opened by the other.
			res, err := readCredentials(engineer, b, id)
			switch {
			case err != nil:
				t.Fatal(err)
			case want[i] == 1:
				if res.Status != http.StatusOK || passwordOf(t, aus[i], res) != passwords[i] {
					t.Errorf("credentials of %s through B: status %d or wrong password", id, res.Status)
				}
			case res.Status != http.StatusConflict || res.errorCode() != "OSM.01010014":
				t.Errorf("credentials of %s (status %d) through B: %s; want 409 OSM.01010014", id, want[i], res)
			}
		}
		if t.Failed() {
			return
		}

		// End the grants still in force (customer cancel, on B), then no
		// transition out of a final status works on either replica.
		for i, id := range ids {
			if want[i] == 1 {
				expect(t, http.StatusOK, admin, "PUT", b.URL+"/v2/servicerequest/authorizations/"+id+"/action?action_id=cancel", nil)
				want[i] = 5
			}
		}
		for i, id := range ids {
			for _, attempt := range []struct {
				r            *replica
				who          client.Credential
				method, path string
				body         any
			}{
				{a, admin, "PUT", "/v2/servicerequest/authorizations/" + id, confirmBody(aus[i], "again", time.Hour)},
				{b, admin, "PUT", "/v2/servicerequest/authorizations/" + id + "/action?action_id=reject", map[string]string{"reject_reason": "late"}},
				{a, admin, "PUT", "/v2/servicerequest/authorizations/" + id + "/action?action_id=cancel", nil},
				{b, engineer, "POST", "/support/v1/authorizations/" + id + "/withdraw", nil},
			} {
				if res := do(t, attempt.who, attempt.method, attempt.r.URL+attempt.path, attempt.body); res.Status != http.StatusConflict || res.errorCode() != "OSM.01010014" {
					t.Errorf("%s %s through %s on final status %d: %s; want 409 OSM.01010014", attempt.method, attempt.path, attempt.r.name, want[i], res)
				}
			}
			for _, r := range replicas {
				if got := customerStatus(t, r, admin, id); got != want[i] {
					t.Errorf("%s through %s after the attempts: status %d, want %d", id, r.name, got, want[i])
				}
			}
		}

		// The audit log agrees: one end per authorization, a confirmation
		// and a credential destruction exactly for the confirmed ones.
		counts := c.auditCounts(t)
		for i, id := range ids {
			wantConfirmed := 0
			if confirmed[i] {
				wantConfirmed = 1
			}
			got := counts[id]
			if got["authorization.ended"] != 1 || got["authorization.confirmed"] != wantConfirmed || got["credential.destroyed"] != wantConfirmed {
				t.Errorf("audit events of %s (final status %d): %v; want 1 authorization.ended and %d authorization.confirmed and credential.destroyed", id, want[i], got, wantConfirmed)
			}
		}
		var left int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM credentials WHERE authorization_id = ANY($1)`, ids).Scan(&left); err != nil {
			t.Fatal(err)
		} else if left != 0 {
			t.Errorf("%d credential rows left of ended authorizations", left)
		}
	})

	t.Run("ExpiryExactlyOnce", func(t *testing.T) {
		caseID := createCase(t, b, admin, "short grants")
		// All the windows end at one instant, so that both sweepers find
		// the whole batch due at their next tick and race for it.
		const k = 16
		aus, ids := make([]authorization, k), make([]string, k)
		for i := range ids {
			aus[i] = requestAuthorization(t, replicas[i%2], engineer, caseID)
			ids[i] = aus[i].ID
		}
		end := time.Now().Add(2500 * time.Millisecond)
		for i, id := range ids {
			password := "short-" + randomHex(8)
			addSecret("short grant password "+id, password)
			expect(t, http.StatusOK, admin, "PUT", replicas[i%2].URL+"/v2/servicerequest/authorizations/"+id, confirmBodyUntil(aus[i], password, end))
			// Sealed on one replica, read on the other while in force.
			res, err := readCredentials(engineer, replicas[(i+1)%2], id)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusOK || passwordOf(t, aus[i], res) != password {
				t.Fatalf("credentials of %s through %s in its window: status %d or wrong password", id, replicas[(i+1)%2].name, res.Status)
			}
		}
		if time.Now().After(end) {
			t.Fatal("confirming the grants took longer than their window")
		}

		// At the end of the window every grant reads expired on both
		// replicas and its credentials are refused, sweep or not.
		time.Sleep(time.Until(end))
		for _, id := range ids {
			for _, r := range replicas {
				if got := customerStatus(t, r, admin, id); got != 3 {
					t.Errorf("%s through %s after its window: status %d, want 3", id, r.name, got)
				}
				if res, err := readCredentials(engineer, r, id); err != nil || res.Status != http.StatusConflict || res.errorCode() != "OSM.01010014" {
					t.Errorf("credentials of expired %s through %s: %v %s; want 409 OSM.01010014", id, r.name, err, res)
				}
			}
		}

		// A sweeper records each expiry; then both sweep twice more, and
		// still each grant has ended exactly once.
		swept := waitFor(15*time.Second, func() bool {
			counts := c.auditCounts(t)
			for _, id := range ids {
				if counts[id]["authorization.ended"] == 0 {
					return false
				}
			}
			return true
		})
		if !swept {
			t.Fatalf("expired grants not recorded within 15s: %v", c.auditCounts(t))
		}
		time.Sleep(2500 * time.Millisecond)

		var events []auditEvent
		c.admin(t, &events, nil, "audit", "list", "--limit", "100000")
		for _, id := range ids {
			got := map[string]int{}
			for _, e := range events {
				if e.AuthorizationID != id {
					continue
				}
				got[e.Action]++
				if (e.Action == "authorization.ended" || e.Action == "credential.destroyed") && e.ActorRealm != "system" {
					t.Errorf("%s of %s by %q, want the sweeper (system)", e.Action, id, e.ActorRealm)
				}
			}
			if got["authorization.ended"] != 1 || got["credential.destroyed"] != 1 {
				t.Errorf("audit events of expired %s: %v; want exactly 1 authorization.ended and 1 credential.destroyed", id, got)
			}
		}
		var stored, left int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM authorizations WHERE id = ANY($1) AND status = 3`, ids).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM credentials WHERE authorization_id = ANY($1)`, ids).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if stored != k || left != 0 {
			t.Errorf("in the database: %d of %d grants stored as expired, %d credential rows left; want %d and 0", stored, k, left, k)
		}

		// The replicas' own accounts: together they expired each grant once.
		total := 0
		for _, r := range replicas {
			n := 0
			for _, rec := range r.log.records("expired grants") {
				if v, ok := rec["count"].(float64); ok {
					n += int(v)
				}
			}
			t.Logf("replica %s expired %d grants", r.name, n)
			total += n
		}
		if total != k {
			t.Errorf("the replicas logged %d expiries in total, want %d", total, k)
		}
	})

	t.Run("DisabledUserAcrossReplicas", func(t *testing.T) {
		// Alice's token and access key work on both replicas, which then
		// hold her in their principal caches.
		alice := customerLogin(t, a, "acme", "alice", alicePassword)
		addSecret("alice token", string(alice))
		for _, r := range replicas {
			for _, who := range []client.Credential{alice, signer} {
				expect(t, http.StatusOK, who, "GET", r.URL+"/v2/servicerequest/cases?limit=1", nil)
			}
		}

		// Disabled through the shared store, behind both replicas' backs:
		// each must refuse her within its --principal-cache.
		var out struct{}
		c.admin(t, &out, nil, "user", "disable", "--account", "acme", "--name", "alice")
		disabledAt := time.Now()
		deadline := principalCache + 2*time.Second // the polling and the admin command's own time
		for _, r := range replicas {
			for _, who := range []struct {
				name string
				c    client.Credential
			}{{"token", alice}, {"signature", signer}} {
				var last response
				for { // at least once, even past the deadline
					last = do(t, who.c, "GET", r.URL+"/v2/servicerequest/cases?limit=1", nil)
					if last.Status == http.StatusUnauthorized || time.Since(disabledAt) >= deadline {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				if last.Status != http.StatusUnauthorized {
					t.Errorf("%s still accepts the disabled user's %s %s after disabling: %s", r.name, who.name, time.Since(disabledAt).Round(time.Millisecond), last)
				}
			}
		}
		// Nor can she log in again, on either.
		for _, r := range replicas {
			res := do(t, nil, "POST", r.URL+"/v3/auth/tokens", passwordAuth("acme", "alice", alicePassword))
			if res.Status != http.StatusUnauthorized {
				t.Errorf("%s logs a disabled user in: %s", r.name, res)
			}
		}

		// Enabled again: a new login works at once on both; the token from
		// before stays refused; the access key works again.
		c.admin(t, &out, nil, "user", "enable", "--account", "acme", "--name", "alice")
		again := customerLogin(t, b, "acme", "alice", alicePassword)
		addSecret("alice's second token", string(again))
		for _, r := range replicas {
			expect(t, http.StatusOK, again, "GET", r.URL+"/v2/servicerequest/cases?limit=1", nil)
			expect(t, http.StatusOK, signer, "GET", r.URL+"/v2/servicerequest/cases?limit=1", nil)
			if res := do(t, alice, "GET", r.URL+"/v2/servicerequest/cases?limit=1", nil); res.Status != http.StatusUnauthorized {
				t.Errorf("%s accepts a token issued before the user was disabled: %s", r.name, res)
			}
		}
	})

	t.Run("GracefulShutdown", func(t *testing.T) {
		first, second := []byte(randomHex(128<<10)), []byte(randomHex(128<<10)) // 512 KiB in all
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		req, err := http.NewRequest("POST", a.URL+"/v2/servicerequest/accessorys", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Auth-Token", string(admin))
		type result struct {
			res response
			err error
		}
		done := make(chan result, 1)
		go func() {
			res, err := roundTrip(newClient(), req)
			done <- result{res, err}
		}()
		defer pw.Close() // lets the request end if the test stops early

		// Half the file, then SIGTERM while the rest is still to come.
		if err := mw.WriteField("form_data", `{"fileName":"slow.txt","accessoryFrom":"incident"}`); err != nil {
			t.Fatal(err)
		}
		fw, err := mw.CreateFormFile("file", "slow.txt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(first); err != nil {
			t.Fatalf("upload to A, first half: %v", err)
		}
		time.Sleep(300 * time.Millisecond) // A reads the headers and streams the part
		if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}

		// A stops taking connections, but neither exits nor answers the
		// upload while its body is incomplete.
		probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		refused := waitFor(10*time.Second, func() bool {
			res, err := probe.Get(a.URL + "/healthz")
			if err != nil {
				return true
			}
			res.Body.Close()
			return false
		})
		if !refused {
			t.Fatal("A still accepts connections 10s after SIGTERM")
		}
		select {
		case <-a.exited:
			t.Fatalf("A exited (%v) with an upload in flight", a.waitErr)
		case r := <-done:
			t.Fatalf("the upload was answered before its body was complete: %v %s", r.err, r.res)
		default:
		}

		if _, err := fw.Write(second); err != nil {
			t.Fatalf("upload to A, second half after SIGTERM: %v", err)
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		var r result
		select {
		case r = <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("no answer to the upload 30s after its body was complete")
		}
		if r.err != nil || r.res.Status != http.StatusOK {
			t.Fatalf("upload in flight during shutdown: %v %s; want 200", r.err, r.res)
		}
		var uploaded struct {
			ID string `json:"accessory_id"`
		}
		r.res.decode(t, &uploaded)

		if err := a.waitExit(t, 30*time.Second); err != nil {
			t.Errorf("A exited with %v after SIGTERM, want status 0", err)
		}
		for _, msg := range []string{"shutting down", "stopped"} {
			if len(a.log.records(msg)) != 1 {
				t.Errorf("A's log has %d %q lines, want 1", len(a.log.records(msg)), msg)
			}
		}

		// B serves on, including what A accepted while it drained.
		expect(t, http.StatusOK, nil, "GET", b.URL+"/readyz", nil)
		res := expect(t, http.StatusOK, admin, "GET", b.URL+"/v2/servicerequest/accessorys/"+uploaded.ID, nil)
		if want := append(append([]byte(nil), first...), second...); !bytes.Equal(res.Body, want) {
			t.Errorf("the upload A finished while draining, downloaded through B: %d bytes, want %d", len(res.Body), len(want))
		}
	})

	t.Run("LogsAndExit", func(t *testing.T) {
		// Stop B too: it must exit 0 (with -race: no data race seen).
		select {
		case <-b.exited:
			t.Fatalf("B exited early: %v", b.waitErr)
		default:
		}
		if err := b.terminate(t, 30*time.Second); err != nil {
			t.Errorf("B exited with %v after SIGTERM, want status 0", err)
		}
		for _, dir := range []string{a.dataDir, b.dataDir, filepath.Join(c.tmp, "admin-data")} {
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s was created (stat: %v): nothing of a deployment on PostgreSQL and S3 is local", dir, err)
			}
		}
		for _, r := range replicas {
			for _, line := range r.log.all() {
				for name, secret := range secrets {
					if secret != "" && strings.Contains(line, secret) {
						t.Errorf("replica %s logged the %s: %.200s", r.name, name, line)
					}
				}
				if strings.Contains(line, "DATA RACE") {
					t.Errorf("replica %s: data race", r.name)
				}
			}
			for _, rec := range r.log.records("request") {
				if st, _ := rec["status"].(float64); st >= 500 {
					t.Errorf("replica %s answered %v to %v %v", r.name, st, rec["method"], rec["path"])
				}
			}
			for _, line := range r.log.all() {
				if strings.Contains(line, `"level":"ERROR"`) {
					t.Errorf("replica %s logged an error: %.300s", r.name, line)
				}
			}
		}
	})
}

// upload sends a small attachment in one multipart request through r and
// returns its id.
func upload(t *testing.T, r *replica, who client.Credential, name string, content []byte) string {
	t.Helper()
	id, err := r.api().UploadAccessory(context.Background(), who, client.Upload{FileName: name, Content: content})
	if err != nil {
		t.Fatalf("upload through %s: %v", r.name, err)
	}
	return id
}

// flip changes every character of s (a token's or signature's tail) to
// another one of the same alphabet class, so the result is still well
// formed but different.
func flip(s string) string {
	b := []byte(s)
	for i, ch := range b {
		switch {
		case ch == 'A':
			b[i] = 'B'
		case ch == 'a':
			b[i] = 'b'
		case ch == '0':
			b[i] = '1'
		case ch >= 'B' && ch <= 'Z', ch >= 'b' && ch <= 'z', ch >= '1' && ch <= '9':
			b[i] = ch - 1
		default:
			b[i] = 'A'
		}
	}
	return string(b)
}
