package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook/notify"
)

// TestWebhookCommands subscribes a loopback receiver with the CLI while
// serve runs; a ticket opened through the API arrives signed with the
// secret the CLI printed, and the delivery log shows it. Without
// --webhook-allow-private the CLI refuses the loopback target.
func TestWebhookCommands(t *testing.T) {
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer rcv.Close()

	data := t.TempDir()
	strict := env{"CASEBOOK_DATA": data}
	e := env{"CASEBOOK_DATA": data, "CASEBOOK_WEBHOOK_ALLOW_PRIVATE": "true"}
	srv := startServer(t, e, nil)
	mustRun(t, e, "account", "create", "--name", "acme", "--password", "master-pw-1")

	if _, err := run(t, strict, "webhook", "add", "--account", "acme", "--url", rcv.URL); err == nil || !strings.Contains(err.Error(), "internal address") {
		t.Fatalf("loopback target without --webhook-allow-private: %v", err)
	}
	if _, err := run(t, e, "webhook", "add", "--account", "acme", "--url", rcv.URL, "--events", "case.created,nope"); err == nil {
		t.Fatal("unknown event type accepted")
	}
	var hook struct {
		ID, URL, Secret string
		EventTypes      []string `json:"event_types"`
	}
	mustRunJSON(t, e, &hook, "webhook", "add", "--account", "acme", "--url", rcv.URL, "--events", "case.created")
	if hook.ID == "" || !strings.HasPrefix(hook.Secret, "whsec_") || len(hook.EventTypes) != 1 {
		t.Fatalf("add: %+v", hook)
	}
	if list := mustRun(t, e, "webhook", "list", "--account", "acme"); !strings.Contains(list, hook.ID) || strings.Contains(list, hook.Secret) {
		t.Fatalf("list shows %q", list)
	}

	token := customerToken(t, srv.URL, "acme", "admin", "master-pw-1")
	res, body := do(t, "POST", srv.URL+"/v2/servicerequest/cases", `{"business_type_id":"1","simple_description":"hello"}`,
		http.Header{"X-Auth-Token": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create case: %d %s", res.StatusCode, body)
	}
	var r *http.Request
	select {
	case r = <-got:
	case <-time.After(60 * time.Second):
		t.Fatal("no webhook within 60s")
	}
	b := <-bodies
	if err := notify.VerifySignature(r.Header.Get("Casebook-Signature"), b, hook.Secret, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if r.Header.Get("Casebook-Event-Type") != "case.created" {
		t.Fatalf("event type %q", r.Header.Get("Casebook-Event-Type"))
	}

	var log []struct {
		ID      int64  `json:"id"`
		EventID string `json:"event_id"`
		State   string `json:"state"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		mustRunJSON(t, e, &log, "webhook", "deliveries", "--account", "acme", "--webhook", hook.ID)
		if len(log) == 1 && log[0].State == "delivered" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(log) != 1 || log[0].State != "delivered" || log[0].EventID != r.Header.Get("Casebook-Event-Id") {
		t.Fatalf("deliveries: %+v", log)
	}
	var again struct{ State string }
	mustRunJSON(t, e, &again, "webhook", "redeliver", "--account", "acme", "--delivery", jsonNumber(log[0].ID))
	select {
	case r2 := <-got:
		if r2.Header.Get("Casebook-Event-Id") != r.Header.Get("Casebook-Event-Id") {
			t.Fatal("redelivery has another event id")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no redelivery within 60s")
	}
	mustRun(t, e, "webhook", "remove", "--account", "acme", "--webhook", hook.ID)
	if _, err := run(t, e, "webhook", "remove", "--account", "acme", "--webhook", hook.ID); err == nil {
		t.Fatal("second remove succeeded")
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }
