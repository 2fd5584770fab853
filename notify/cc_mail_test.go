package notify_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// mailsByRecipient dispatches the outbox (no worker runs) and returns the
// queued mails as recipient -> sorted event types.
func mailsByRecipient(t *testing.T, s *casebook.Service) map[string][]string {
	t.Helper()
	for {
		n, err := s.DispatchEvents(context.Background())
		if err != nil {
			t.Fatal(err)
		} else if n == 0 {
			break
		}
	}
	ms, err := s.Mails(context.Background(), casebook.MailFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, m := range ms {
		got[m.To] = append(got[m.To], m.Event.Type)
	}
	for _, types := range got {
		sort.Strings(types)
	}
	return got
}

// TestCcMailsQueued: the mails to the customer go to the ticket's
// remind_mail and to its creator's carbon-copy addresses (an address in
// both gets one mail); another user's tickets do not, and a ticket without
// remind_mail still reaches the carbon copies.
func TestCcMailsQueued(t *testing.T) {
	ctx := context.Background()
	s := newService(t, openSQLite(t))
	s.Config.MailEnabled = true
	d := newDesk(t, s, "acme")
	if err := s.SetUserCcEmails(ctx, "acme", "master", []string{"cc1@example.com", "alice@example.com", "cc2@example.com"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCase(ctx, d.customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "disk full", RemindMail: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, d.engineer, c.ID, "looking into it"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMessage(ctx, d.customer, "", c.ID, "thanks", nil); err != nil {
		t.Fatal(err) // the customer's own message: nobody is told
	}
	reply := []string{casebook.EventCaseStatusChanged, casebook.EventMessageAdded}
	want := map[string][]string{"alice@example.com": reply, "cc1@example.com": reply, "cc2@example.com": reply}
	if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mails by recipient = %v, want %v", got, want)
	}

	// Another user of the account, with no carbon copies and no
	// remind_mail: nothing more is queued.
	if _, err := s.CreateUser(ctx, "acme", "bob", "bob-password-Q1w2e3"); err != nil {
		t.Fatal(err)
	}
	bob := resolveUser(t, s, "acme", "bob")
	other, err := s.CreateCase(ctx, bob, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "no cc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, d.engineer, other.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after bob's ticket: mails by recipient = %v, want %v", got, want)
	}

	// Cleared: the next reply reaches only the remind_mail; a ticket
	// without remind_mail of a user with carbon copies reaches them.
	if err := s.SetUserCcEmails(ctx, "acme", "master", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserCcEmails(ctx, "acme", "bob", []string{"bob-cc@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, d.engineer, c.ID, "still looking"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, d.engineer, other.ID, "again"); err != nil {
		t.Fatal(err)
	}
	want["alice@example.com"] = []string{casebook.EventCaseStatusChanged, casebook.EventMessageAdded, casebook.EventMessageAdded}
	want["bob-cc@example.com"] = []string{casebook.EventMessageAdded}
	if got := mailsByRecipient(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after clearing: mails by recipient = %v, want %v", got, want)
	}
}

// resolveUser returns the principal of the user name of the account.
func resolveUser(t *testing.T, s *casebook.Service, account, name string) *casebook.Principal {
	t.Helper()
	users, err := s.ListUsers(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range users {
		if l.User.Name == name {
			p, _, err := s.ResolvePrincipal(context.Background(), casebook.RealmCustomer, l.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no user %q in %q", name, account)
	return nil
}

// TestCcMailThroughMailpit: the engineer's reply reaches the remind_mail
// and both carbon-copy addresses through a real SMTP server.
func TestCcMailThroughMailpit(t *testing.T) {
	mp := startMailpit(t, notify.SMTPStartTLS)
	s := newService(t, openSQLite(t))
	s.Config.MailEnabled = true
	d := newDesk(t, s, "acme")
	startWorker(t, s, func(w *notify.Worker) {
		w.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, Security: notify.SMTPStartTLS, Username: "casebook",
			Password: "smtp-password-1", From: "casebook@support.example", Lang: "en-us",
			TLSConfig: &tls.Config{RootCAs: mp.CA, ServerName: "127.0.0.1"}}
	})
	ctx := context.Background()
	if err := s.SetUserCcEmails(ctx, "acme", "master", []string{"cc1@example.com", "cc2@example.com"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCase(ctx, d.customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "disk full", RemindMail: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, d.engineer, c.ID, "looking into it"); err != nil {
		t.Fatal(err)
	}
	// The reply is a message and a status change: two mails to each.
	var msgs []mailpitMessage
	eventually(t, "six mails", func() bool { msgs = mp.messages(t); return len(msgs) >= 6 })
	time.Sleep(100 * time.Millisecond)
	if msgs = mp.messages(t); len(msgs) != 6 {
		t.Fatalf("%d mails, want 6: %+v", len(msgs), msgs)
	}
	got := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			got[to.Address]++
		}
	}
	if want := map[string]int{"alice@example.com": 2, "cc1@example.com": 2, "cc2@example.com": 2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mails by recipient = %v, want %v", got, want)
	}
}
