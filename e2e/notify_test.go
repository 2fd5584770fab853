package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casebook/casebook/notify"
)

// TestNotifyKill9: the server is killed (SIGKILL) while the webhook of a
// committed event is in flight, its receiver not yet answering; after a
// restart on the same database the event is delivered, with the same
// event id and a valid signature. Nothing is lost. SQLite in a shared
// file, one process at a time.
func TestNotifyKill9(t *testing.T) {
	bin := buildCasebook(t)
	tmp := t.TempDir()
	c := &cluster{
		bin:   bin,
		tmp:   tmp,
		flags: []string{"--db", "sqlite:" + filepath.Join(tmp, "casebook.db")},
		env:   []string{"CASEBOOK_MASTER_KEY=" + randomHex(32), "CASEBOOK_WEBHOOK_ALLOW_PRIVATE=true"},
	}

	// The receiver hangs on every request until answering is switched on.
	var mu sync.Mutex
	answering := false
	type hit struct {
		eventID, signature string
		body               []byte
	}
	var hits []hit
	first := make(chan struct{}, 1)
	release := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Get("Casebook-Event-Id"), r.Header.Get("Casebook-Signature"), body})
		ok := answering
		mu.Unlock()
		if !ok {
			select {
			case first <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	defer close(release)

	adminPassword, engPassword := "admin-"+randomHex(8), "eng-"+randomHex(8)
	var account struct {
		ID string `json:"account_id"`
	}
	c.admin(t, &account, []string{"CASEBOOK_PASSWORD=" + adminPassword}, "account", "create", "--name", "acme")
	var eng struct {
		ID string `json:"engineer_id"`
	}
	c.admin(t, &eng, []string{"CASEBOOK_PASSWORD=" + engPassword}, "engineer", "create", "--name", "eve")
	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	c.admin(t, &hook, nil, "webhook", "add", "--account", "acme", "--url", rcv.URL+"/casebook", "--events", "authorization.requested")

	serveFlags := []string{"--webhook-timeout", "3s"}
	a := startReplica(t, c, "A", serveFlags...)
	a.waitListening(t)
	a.waitReady(t)
	customer := customerLogin(t, a, "acme", "admin", adminPassword)
	engineer := engineerLogin(t, a, "eve", engPassword)
	caseID := createCase(t, a, customer, "the web server is down")
	au := requestAuthorization(t, a, engineer, caseID)

	select {
	case <-first:
	case <-time.After(60 * time.Second):
		t.Fatal("the webhook was not attempted within 60s")
	}
	// Committed, claimed, in flight: kill -9.
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	mu.Lock()
	answering = true
	mu.Unlock()

	b := startReplica(t, c, "A", serveFlags...) // same data directory and database
	b.waitListening(t)
	b.waitReady(t)
	var log []struct {
		EventID  string `json:"event_id"`
		State    string `json:"state"`
		Attempts int    `json:"attempts"`
	}
	if !waitFor(90*time.Second, func() bool {
		c.admin(t, &log, nil, "webhook", "deliveries", "--account", "acme", "--webhook", hook.ID)
		return len(log) == 1 && log[0].State == "delivered"
	}) {
		t.Fatalf("not delivered after the restart: %+v", log)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hits) < 2 {
		t.Fatalf("%d requests, want the one cut short and the one after the restart", len(hits))
	}
	for i, h := range hits {
		if h.eventID != log[0].EventID {
			t.Fatalf("request %d has event id %q, want %q", i, h.eventID, log[0].EventID)
		}
	}
	last := hits[len(hits)-1]
	if err := notify.VerifySignature(last.signature, last.body, hook.Secret, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature after restart: %v", err)
	}
	var p notify.Payload
	if err := json.Unmarshal(last.body, &p); err != nil || p.AuthorizationID != au.ID || p.CaseID != caseID || p.AccountID != account.ID {
		t.Fatalf("payload %s (%v)", last.body, err)
	}
	t.Logf("delivered after kill -9 and restart: %d requests for event %s, attempts %d", len(hits), log[0].EventID, log[0].Attempts)
}
