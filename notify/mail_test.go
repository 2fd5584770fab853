package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/notify"
)

// mailpit is a real SMTP server (github.com/axllent/mailpit) started for a
// test, with its HTTP API to read what it received.
type mailpit struct {
	SMTPPort int
	API      string
	CA       *x509.CertPool
}

// mailpitBinary finds Mailpit: $CASEBOOK_TEST_MAILPIT, else GOPATH/bin.
// Without it the test skips, unless CASEBOOK_TEST_MAILPIT_REQUIRED=1
// (.ci/run), where it fails.
func mailpitBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("CASEBOOK_TEST_MAILPIT")
	if bin == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			bin = filepath.Join(strings.Split(strings.TrimSpace(string(out)), string(os.PathListSeparator))[0], "bin", "mailpit")
		}
	}
	if _, err := os.Stat(bin); bin == "" || err != nil {
		if os.Getenv("CASEBOOK_TEST_MAILPIT_REQUIRED") == "1" {
			t.Fatalf("CASEBOOK_TEST_MAILPIT_REQUIRED=1 but no Mailpit binary at %q (run scripts/mailpit.sh)", bin)
		}
		t.Skipf("no Mailpit binary (%q): run `export CASEBOOK_TEST_MAILPIT=\"$(scripts/mailpit.sh)\"` to run the e-mail tests", bin)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMailpit runs Mailpit on free loopback ports with a fresh self-signed
// certificate for 127.0.0.1; mode is "starttls" (STARTTLS required) or
// "tls" (implicit TLS). Any user name and password are accepted.
func startMailpit(t *testing.T, mode string) *mailpit {
	t.Helper()
	bin := mailpitBinary(t)
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)

	m := &mailpit{SMTPPort: freePort(t), CA: pool}
	httpPort := freePort(t)
	m.API = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	args := []string{"--smtp", fmt.Sprintf("127.0.0.1:%d", m.SMTPPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
		"--smtp-auth-accept-any", "--smtp-disable-rdns", "--quiet"}
	if mode == notify.SMTPTLS {
		args = append(args, "--smtp-require-tls")
	} else {
		args = append(args, "--smtp-require-starttls")
	}
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	eventually(t, "mailpit answers", func() bool {
		res, err := http.Get(m.API + "/api/v1/messages")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	return m
}

type mailpitMessage struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// messages lists what Mailpit received.
func (m *mailpit) messages(t *testing.T) []mailpitMessage {
	t.Helper()
	res, err := http.Get(m.API + "/api/v1/messages?limit=200")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Messages []mailpitMessage `json:"messages"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// message returns a message's plain-text body and headers.
func (m *mailpit) message(t *testing.T, id string) (text string, headers map[string][]string) {
	t.Helper()
	res, err := http.Get(m.API + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var msg struct {
		Text string `json:"Text"`
	}
	if err := json.NewDecoder(res.Body).Decode(&msg); err != nil {
		t.Fatal(err)
	}
	hres, err := http.Get(m.API + "/api/v1/message/" + id + "/headers")
	if err != nil {
		t.Fatal(err)
	}
	defer hres.Body.Close()
	if err := json.NewDecoder(hres.Body).Decode(&headers); err != nil {
		t.Fatal(err)
	}
	return msg.Text, headers
}

// TestMailThroughMailpit: with e-mail on, the customer (remind_mail) is told
// of the engineer's reply, the status change and the access request, and
// the engineers' address of the new ticket and of the grant; the mails are
// read back from a real SMTP server, with STARTTLS and authentication, and
// hold no secret.
func TestMailThroughMailpit(t *testing.T) {
	for _, tc := range []struct {
		mode, lang string
	}{{notify.SMTPStartTLS, "en-us"}, {notify.SMTPTLS, "zh-cn"}} {
		t.Run(tc.mode+"/"+tc.lang, func(t *testing.T) {
			mp := startMailpit(t, tc.mode)
			s := newService(t, openSQLite(t))
			s.Config.MailEnabled = true
			s.Config.MailEngineers = []string{"queue@support.example"}
			d := newDesk(t, s, "acme")
			startWorker(t, s, func(w *notify.Worker) {
				w.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, Security: tc.mode, Username: "casebook",
					Password: "smtp-password-1", From: "Casebook <casebook@support.example>", Lang: tc.lang,
					TLSConfig: &tls.Config{RootCAs: mp.CA, ServerName: "127.0.0.1"}}
			})
			ctx := context.Background()
			c, err := s.CreateCase(ctx, d.customer, casebook.CaseInput{BusinessTypeID: "1", SimpleDescription: "disk full", RemindMail: "alice@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Reply(ctx, d.engineer, c.ID, "looking into it"); err != nil {
				t.Fatal(err)
			}
			a, err := s.RequestAuthorization(ctx, d.engineer, c.ID, casebook.AuthorizationRequest{
				ResourceTypeID: "1", VisitTypeID: "1", Describe: "root on web-1",
				Details: []casebook.AuthDetail{{Type: casebook.AuthDetailHost, InstanceID: "i-1", Port: 22, Account: "root"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			const password = "Grant-Pa55word-QWERTY-4471"
			start, end := time.Now().UTC(), time.Now().UTC().Add(time.Hour)
			if err := s.ConfirmAuthorization(ctx, d.customer, "", a.ID, casebook.ConfirmInput{EffectiveAt: &start, ExpireAt: &end,
				Credentials: []casebook.Credential{{DetailID: a.Details[0].ID, Password: password}}}); err != nil {
				t.Fatal(err)
			}
			// The customer's own message sends them nothing.
			if _, err := s.CreateMessage(ctx, d.customer, "", c.ID, "thanks", nil); err != nil {
				t.Fatal(err)
			}

			var msgs []mailpitMessage
			eventually(t, "five mails", func() bool { msgs = mp.messages(t); return len(msgs) >= 5 })
			time.Sleep(100 * time.Millisecond) // a sixth, if any, would be here by now (checked below)
			if msgs = mp.messages(t); len(msgs) != 5 {
				t.Fatalf("%d mails, want 5: %+v", len(msgs), msgs)
			}
			got := map[string][]string{} // recipient -> event types
			for _, m := range msgs {
				text, headers := mp.message(t, m.ID)
				if len(m.To) != 1 {
					t.Fatalf("mail %q to %v", m.Subject, m.To)
				}
				typ := headers["X-Casebook-Event-Type"]
				if len(typ) != 1 {
					t.Fatalf("mail %q has no event type header: %v", m.Subject, headers)
				}
				got[m.To[0].Address] = append(got[m.To[0].Address], typ[0])
				if !strings.Contains(m.Subject, c.ID) || !strings.Contains(text, c.ID) {
					t.Errorf("mail %q does not name the ticket: %q", m.Subject, text)
				}
				if strings.Contains(text, password) || strings.Contains(text, "looking into it") || strings.Contains(text, "smtp-password-1") {
					t.Errorf("mail %q carries a secret or a message's text: %q", m.Subject, text)
				}
				wantWord := map[string]string{"en-us": "ticket", "zh-cn": "工单"}[tc.lang]
				if !strings.Contains(text, wantWord) {
					t.Errorf("mail %q is not in %s: %q", m.Subject, tc.lang, text)
				}
				if typ[0] == casebook.EventAuthorizationRequested && !strings.Contains(text, a.ID) {
					t.Errorf("access request mail does not name the authorization: %q", text)
				}
			}
			for _, types := range got {
				sort.Strings(types)
			}
			want := map[string][]string{
				"alice@example.com":     {casebook.EventAuthorizationRequested, casebook.EventCaseStatusChanged, casebook.EventMessageAdded},
				"queue@support.example": {casebook.EventAuthorizationConfirmed, casebook.EventCaseCreated},
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("mails by recipient = %v, want %v", got, want)
			}
			eventually(t, "mail log: all sent", func() bool {
				ms, err := s.Mails(ctx, casebook.MailFilter{State: casebook.DeliveryDelivered})
				return err == nil && len(ms) == 5
			})
		})
	}
}

// TestMailRetriedWhenServerDown: with no SMTP server listening, the mail
// stays queued with the error and is retried; nothing is lost.
func TestMailRetriedWhenServerDown(t *testing.T) {
	s := newService(t, openSQLite(t))
	s.Config.MailEnabled = true
	s.Config.MailEngineers = []string{"queue@support.example"}
	d := newDesk(t, s, "acme")
	startWorker(t, s, func(w *notify.Worker) {
		w.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: freePort(t), Security: notify.SMTPNone, From: "casebook@support.example", Lang: "en-us", Timeout: time.Second}
	})
	d.newCase(t, "nobody listens")
	eventually(t, "a failed attempt recorded", func() bool {
		ms, _ := s.Mails(context.Background(), casebook.MailFilter{})
		return len(ms) == 1 && ms[0].Attempts >= 2 && ms[0].State == casebook.DeliveryPending && strings.Contains(ms[0].LastError, "connect")
	})
}
