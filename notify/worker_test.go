package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// TestWebhookSignedDelivery: an engineer asks for access; the subscribed
// receiver gets authorization.requested, signed with the secret shown at
// subscription, with the event id in header and body.
func TestWebhookSignedDelivery(t *testing.T) {
	s := newService(t, openSQLite(t))
	d := newDesk(t, s, "acme")
	rcv := newReceiver(t, nil)
	hook, secret, err := s.CreateWebhook(context.Background(), "acme", casebook.WebhookInput{
		URL: rcv.URL + "/hook?token=abc", EventTypes: []string{casebook.EventAuthorizationRequested},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || strings.Contains(string(hook.SealedSecret), secret) {
		t.Fatalf("secret %q / sealed %q", secret, hook.SealedSecret)
	}
	startWorker(t, s, nil)

	c := d.newCase(t, "please look") // case.created: not subscribed
	a, err := s.RequestAuthorization(context.Background(), d.engineer, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", Describe: "root on web-1",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-1", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	<-rcv.got
	got := rcv.all()
	if len(got) != 1 {
		t.Fatalf("received %d requests, want 1", len(got))
	}
	r := got[0]
	if err := notify.VerifySignature(r.Header.Get("Casebook-Signature"), r.Body, secret, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var p notify.Payload
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != casebook.EventAuthorizationRequested || p.AuthorizationID != a.ID || p.CaseID != c.ID ||
		p.ID == "" || r.Header.Get("Casebook-Event-Id") != p.ID || p.Actor.Realm != "engineer" || p.Data["engineer_id"] != d.engineer.UserID {
		t.Fatalf("payload %s, headers %v", r.Body, r.Header)
	}
	if r.Header.Get("Casebook-Event-Type") != p.Type || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Casebook-Delivery-Attempt") != "1" {
		t.Fatalf("headers %v", r.Header)
	}
	eventually(t, "delivery recorded", func() bool {
		ds, err := s.WebhookDeliveries(context.Background(), "acme", hook.ID, casebook.DeliveryDelivered, 0)
		return err == nil && len(ds) == 1 && ds[0].EventID == p.ID && ds[0].LastStatus == http.StatusNoContent
	})
}

// TestWebhookRetriesThenDelivers: 500 three times, then 200: delivered on
// the fourth attempt, every attempt with the same event id and a valid
// signature.
func TestWebhookRetriesThenDelivers(t *testing.T) {
	s := newService(t, openSQLite(t))
	d := newDesk(t, s, "acme")
	rcv := newReceiver(t, func(n int) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	hook, secret, err := s.CreateWebhook(context.Background(), "acme", casebook.WebhookInput{URL: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	startWorker(t, s, nil)
	d.newCase(t, "retry me")

	eventually(t, "delivered", func() bool {
		ds, _ := s.WebhookDeliveries(context.Background(), "acme", hook.ID, casebook.DeliveryDelivered, 0)
		return len(ds) == 1
	})
	got := rcv.all()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	id := got[0].Header.Get("Casebook-Event-Id")
	for i, r := range got {
		if r.Header.Get("Casebook-Event-Id") != id {
			t.Fatalf("attempt %d has event id %q, want %q", i+1, r.Header.Get("Casebook-Event-Id"), id)
		}
		if r.Header.Get("Casebook-Delivery-Attempt") != string(rune('1'+i)) {
			t.Fatalf("attempt %d header %q", i+1, r.Header.Get("Casebook-Delivery-Attempt"))
		}
		if err := notify.VerifySignature(r.Header.Get("Casebook-Signature"), r.Body, secret, time.Now(), time.Minute); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	ds, _ := s.WebhookDeliveries(context.Background(), "acme", hook.ID, "", 0)
	if len(ds) != 1 || ds[0].Attempts != 4 || ds[0].DeliveredAt == nil || ds[0].LastError != "" {
		t.Fatalf("delivery log %+v", ds[0])
	}
}

// TestWebhookDeadLetterRedeliver: a receiver that never recovers makes a
// dead letter after the retry limit; it is listed, and redelivered on
// demand once the receiver works, with the same event id.
func TestWebhookDeadLetterRedeliver(t *testing.T) {
	s := newService(t, openSQLite(t))
	s.Config.WebhookMaxAttempts = 3
	d := newDesk(t, s, "acme")
	var healthy atomic.Bool
	rcv := newReceiver(t, func(int) int {
		if healthy.Load() {
			return http.StatusOK
		}
		return http.StatusBadGateway
	})
	hook, _, err := s.CreateWebhook(context.Background(), "acme", casebook.WebhookInput{URL: rcv.URL, EventTypes: []string{casebook.EventCaseCreated}})
	if err != nil {
		t.Fatal(err)
	}
	startWorker(t, s, nil)
	d.newCase(t, "dead letter")

	var dead []*casebook.Delivery
	eventually(t, "dead letter", func() bool {
		dead, _ = s.WebhookDeliveries(context.Background(), "acme", hook.ID, casebook.DeliveryDead, 0)
		return len(dead) == 1
	})
	if n := len(rcv.all()); n != 3 {
		t.Fatalf("%d attempts before the dead letter, want 3", n)
	}
	if dead[0].Attempts != 3 || dead[0].LastStatus != http.StatusBadGateway || !strings.Contains(dead[0].LastError, "502") {
		t.Fatalf("dead letter %+v", dead[0])
	}
	time.Sleep(50 * time.Millisecond) // no further attempt after the dead letter (checked below)
	if n := len(rcv.all()); n != 3 {
		t.Fatalf("%d attempts after the dead letter, want 3", n)
	}

	healthy.Store(true)
	if _, err := s.Redeliver(context.Background(), "acme", hook.ID, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "redelivered", func() bool {
		ds, _ := s.WebhookDeliveries(context.Background(), "acme", hook.ID, casebook.DeliveryDelivered, 0)
		return len(ds) == 1
	})
	got := rcv.all()
	if len(got) != 4 || got[3].Header.Get("Casebook-Event-Id") != dead[0].EventID {
		t.Fatalf("redelivery: %d requests, last event id %q, want %q", len(got), got[len(got)-1].Header.Get("Casebook-Event-Id"), dead[0].EventID)
	}
	// Another account cannot redeliver it or see the log.
	newDesk(t, s, "globex")
	if _, err := s.Redeliver(context.Background(), "globex", "", dead[0].ID); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Fatalf("redeliver from another account: %v", err)
	}
	if _, err := s.WebhookDeliveries(context.Background(), "globex", hook.ID, "", 0); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Fatalf("log from another account: %v", err)
	}
}

// TestWebhookGuard: with private targets not allowed, loopback is refused
// when subscribing, and at dial time for a subscription made while they
// were allowed (as a name that now resolves to loopback would be).
func TestWebhookGuard(t *testing.T) {
	s := newService(t, openSQLite(t))
	d := newDesk(t, s, "acme")
	rcv := newReceiver(t, nil)
	ctx := context.Background()

	s.Config.WebhookAllowPrivate = false
	for _, target := range []string{
		rcv.URL, "http://127.0.0.1/", "http://[::1]:8080/", "http://10.1.2.3/", "http://192.168.0.1/",
		"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
		"http://[::ffff:127.0.0.1]/", "http://localhost:9/",
	} {
		if _, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: target}); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("CreateWebhook(%s) = %v, want EINVALID", target, err)
		}
	}
	for _, bad := range []string{"", "ftp://example.com/", "/relative", "https://user:pw@example.com/", "https://example.com/#frag", "https://" + strings.Repeat("a", 2048) + ".com/"} {
		if _, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: bad}); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("CreateWebhook(%q) = %v, want EINVALID", bad, err)
		}
	}
	if _, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: "https://93.184.215.14/hook", EventTypes: []string{"case.nope"}}); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Errorf("unknown event type: %v", err)
	}
	if _, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: "https://93.184.215.14/hook"}); err != nil {
		t.Errorf("public literal address refused: %v", err)
	}

	s.Config.WebhookAllowPrivate = true
	hook, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: rcv.URL, EventTypes: []string{casebook.EventCaseCreated}})
	if err != nil {
		t.Fatal(err)
	}
	startWorker(t, s, func(w *notify.Worker) { w.AllowPrivate = false })
	d.newCase(t, "rebinding")
	var ds []*casebook.Delivery
	eventually(t, "a refused attempt", func() bool {
		ds, _ = s.WebhookDeliveries(ctx, "acme", hook.ID, "", 0)
		return len(ds) == 1 && ds[0].Attempts >= 1 && ds[0].LastError != ""
	})
	if !strings.Contains(ds[0].LastError, "refused") || ds[0].State == casebook.DeliveryDelivered {
		t.Fatalf("delivery %+v", ds[0])
	}
	if n := len(rcv.all()); n != 0 {
		t.Fatalf("the guarded worker reached the loopback receiver %d times", n)
	}
}

// TestHangingReceiverDoesNotBlockAPI: while one receiver hangs on every
// request, API calls still succeed and another subscription still gets its
// deliveries; the hanging attempts end by timeout and are retried.
func TestHangingReceiverDoesNotBlockAPI(t *testing.T) {
	s := newService(t, openSQLite(t))
	d := newDesk(t, s, "acme")
	release := make(chan struct{})
	hang := newReceiver(t, func(int) int { <-release; return http.StatusOK })
	t.Cleanup(func() { close(release) })
	ok := newReceiver(t, nil)
	ctx := context.Background()
	hangHook, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: hang.URL})
	if err != nil {
		t.Fatal(err)
	}
	okHook, _, err := s.CreateWebhook(ctx, "acme", casebook.WebhookInput{URL: ok.URL})
	if err != nil {
		t.Fatal(err)
	}
	startWorker(t, s, func(w *notify.Worker) { w.Timeout = 300 * time.Millisecond; w.Concurrency = 4 })

	const n = 20
	for i := range n {
		c := d.newCase(t, "while hanging")
		if _, err := s.Reply(ctx, d.engineer, c.ID, "answer"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// 20 cases x (created, status changed, message added).
	eventually(t, "the healthy receiver got every event", func() bool {
		ds, _ := s.WebhookDeliveries(ctx, "acme", okHook.ID, casebook.DeliveryDelivered, 0)
		return len(ds) == 3*n
	})
	eventually(t, "hanging attempts time out and are scheduled again", func() bool {
		ds, _ := s.WebhookDeliveries(ctx, "acme", hangHook.ID, casebook.DeliveryPending, 0)
		for _, d := range ds {
			if d.LastError == "timed out" {
				return true
			}
		}
		return false
	})
}
