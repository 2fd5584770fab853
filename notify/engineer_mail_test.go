package notify_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// engineerWithEmail creates an engineer with an address and returns their
// principal.
func engineerWithEmail(t *testing.T, s *casebook.Service, name, email string) *casebook.Principal {
	t.Helper()
	e, err := s.CreateEngineerWithEmail(context.Background(), name, "engineer-password-1", email)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := s.ResolvePrincipal(context.Background(), casebook.RealmEngineer, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// grant has engineer request access to ticket c and the customer confirm it.
func grant(t *testing.T, s *casebook.Service, d *desk, engineer *casebook.Principal, c *casebook.Case) {
	t.Helper()
	ctx := context.Background()
	a, err := s.RequestAuthorization(ctx, engineer, c.ID, casebook.AuthorizationRequest{
		ResourceTypeID: "1", VisitTypeID: "1", Describe: "root on web-1",
		Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-1", Port: 22, Account: "root"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Now().UTC(), time.Now().UTC().Add(time.Hour)
	if err := s.ConfirmAuthorization(ctx, d.customer, "", a.ID, casebook.ConfirmInput{EffectiveAt: &start, ExpireAt: &end,
		Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: "Grant-Pa55word-QWERTY-4471"}}}); err != nil {
		t.Fatal(err)
	}
}

// TestEngineerMailsQueued: a new ticket is mailed to every enabled engineer
// with an address and to the shared --smtp-engineers addresses, once per
// address whatever its case; a grant is mailed to the engineer who asked
// for it, at their own address, or to the shared addresses when they have
// none. On both engines.
func TestEngineerMailsQueued(t *testing.T) {
	engines := map[string]func(t *testing.T) casebook.Store{
		"sqlite":   func(t *testing.T) casebook.Store { return openSQLite(t) },
		"postgres": func(t *testing.T) casebook.Store { return openPostgres(t, postgresDatabase(t)) },
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newService(t, open(t))
			s.Config.MailEnabled = true
			s.Config.MailEngineers = []string{"queue@support.example", "Ann@Example.com"}
			d := newDesk(t, s, "acme") // its engineer has no address
			engineerWithEmail(t, s, "ann", "ann@example.com")
			bob := engineerWithEmail(t, s, "bob", "bob@example.com")
			engineerWithEmail(t, s, "carol", "carol@example.com")
			if err := s.SetEngineerEnabled(ctx, "carol", false); err != nil {
				t.Fatal(err)
			}
			engineerWithEmail(t, s, "dave", "dave@example.com")
			if err := s.SetEngineerEmail(ctx, "dave", ""); err != nil {
				t.Fatal(err)
			}

			c := d.newCase(t, "disk full")
			want := map[string][]string{
				"ann@example.com":       {casebook.EventCaseCreated},
				"bob@example.com":       {casebook.EventCaseCreated},
				"queue@support.example": {casebook.EventCaseCreated},
			}
			if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("new ticket: mails by recipient = %v, want %v", got, want)
			}

			grant(t, s, d, bob, c)
			want["bob@example.com"] = []string{casebook.EventAuthorizationConfirmed, casebook.EventCaseCreated}
			if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("grant to bob: mails by recipient = %v, want %v", got, want)
			}

			// Another ticket, granted to the desk's engineer, who has no address.
			grant(t, s, d, d.engineer, d.newCase(t, "cpu high"))
			two := []string{casebook.EventCaseCreated, casebook.EventCaseCreated}
			want["ann@example.com"] = two
			want["bob@example.com"] = []string{casebook.EventAuthorizationConfirmed, casebook.EventCaseCreated, casebook.EventCaseCreated}
			want["queue@support.example"] = []string{casebook.EventAuthorizationConfirmed, casebook.EventCaseCreated, casebook.EventCaseCreated}
			want["Ann@Example.com"] = []string{casebook.EventAuthorizationConfirmed} // the shared list, as given
			if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("grant to an engineer without address: mails by recipient = %v, want %v", got, want)
			}
		})
	}
}

// TestEngineerEmailValidation: an address is checked as the carbon-copy
// addresses are, on create and on set; a refused one changes nothing; the
// listing shows the address.
func TestEngineerEmailValidation(t *testing.T) {
	ctx := context.Background()
	s := newService(t, openSQLite(t))
	for _, bad := range []string{"not-an-address", "Ann <ann@example.com>", "ann@localhost", "a@b.c,d@e.f"} {
		if _, err := s.CreateEngineerWithEmail(ctx, "ann", "engineer-password-1", bad); casebook.ErrorCode(err) != casebook.EINVALID {
			t.Fatalf("create with %q: %v, want EINVALID", bad, err)
		}
	}
	if es, err := s.ListEngineers(ctx); err != nil || len(es) != 0 {
		t.Fatalf("after refused creates: %v engineers, %v", len(es), err)
	}
	engineerWithEmail(t, s, "ann", "ann@example.com")
	if err := s.SetEngineerEmail(ctx, "ann", "nope"); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Fatalf("set nope: %v, want EINVALID", err)
	}
	if err := s.SetEngineerEmail(ctx, "nobody", "x@example.com"); casebook.ErrorCode(err) != casebook.ENOTFOUND {
		t.Fatalf("set on a missing engineer: %v, want ENOTFOUND", err)
	}
	es, err := s.ListEngineers(ctx)
	if err != nil || len(es) != 1 || es[0].Email != "ann@example.com" {
		t.Fatalf("listing = %+v, %v; want ann@example.com unchanged", es, err)
	}
	// The bound is the carbon-copy addresses' one: 128 characters.
	at := strings.Repeat("a", casebook.MaxCcEmailLength-len("@example.com")) + "@example.com"
	if err := s.SetEngineerEmail(ctx, "ann", at); err != nil {
		t.Fatalf("an address of %d characters: %v", len(at), err)
	}
	if err := s.SetEngineerEmail(ctx, "ann", "a"+at); casebook.ErrorCode(err) != casebook.EINVALID {
		t.Fatalf("an address of %d characters: %v, want EINVALID", len(at)+1, err)
	}
	if err := s.SetEngineerEmail(ctx, "ann", "ann2@example.com"); err != nil {
		t.Fatal(err)
	}
	if es, _ := s.ListEngineers(ctx); es[0].Email != "ann2@example.com" {
		t.Fatalf("after set: %q", es[0].Email)
	}
}

// TestEngineerMailThroughMailpit: through a real SMTP server, the new
// ticket reaches the engineers' own addresses and the shared one, and the
// grant reaches the engineer who asked for it.
func TestEngineerMailThroughMailpit(t *testing.T) {
	mp := startMailpit(t, notify.SMTPStartTLS)
	s := newService(t, openSQLite(t))
	s.Config.MailEnabled = true
	s.Config.MailEngineers = []string{"queue@support.example"}
	d := newDesk(t, s, "acme")
	ann := engineerWithEmail(t, s, "ann", "ann@example.com")
	startWorker(t, s, func(w *notify.Worker) {
		w.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, Security: notify.SMTPStartTLS, Username: "casebook",
			Password: "smtp-password-1", From: "casebook@support.example", Lang: "en-us",
			TLSConfig: &tls.Config{RootCAs: mp.CA, ServerName: "127.0.0.1"}}
	})
	c := d.newCase(t, "disk full")
	grant(t, s, d, ann, c)

	var msgs []mailpitMessage
	eventually(t, "three mails", func() bool { msgs = mp.messages(t); return len(msgs) >= 3 })
	time.Sleep(100 * time.Millisecond)
	if msgs = mp.messages(t); len(msgs) != 3 {
		t.Fatalf("%d mails, want 3: %+v", len(msgs), msgs)
	}
	got := map[string][]string{}
	for _, m := range msgs {
		_, headers := mp.message(t, m.ID)
		for _, to := range m.To {
			got[to.Address] = append(got[to.Address], headers["X-Casebook-Event-Type"]...)
		}
	}
	for _, types := range got {
		sort.Strings(types)
	}
	want := map[string][]string{
		"ann@example.com":       {casebook.EventAuthorizationConfirmed, casebook.EventCaseCreated},
		"queue@support.example": {casebook.EventCaseCreated},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mails by recipient = %v, want %v", got, want)
	}
}
