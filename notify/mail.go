package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/casebook/casebook"
)

// SMTP security modes.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS (required), usually port 587
	SMTPTLS      = "tls"      // implicit TLS from the first byte, usually port 465
	SMTPNone     = "none"     // no TLS: only for a relay on the same host or network
)

// Mailer sends the e-mails of events over SMTP. Messages are plain text
// (UTF-8, quoted-printable), in Lang (zh-cn or en-us), and carry ids and
// what happened, never a secret or a message's text.
type Mailer struct {
	Host     string
	Port     int
	Security string // SMTPStartTLS, SMTPTLS or SMTPNone
	Username string // empty: no authentication
	Password string
	From     string
	Lang     string        // "zh-cn" (default) or "en-us"
	BaseURL  string        // optional, for a link to the ticket in the support API
	Timeout  time.Duration // whole conversation; 0: 30s
	// TLSConfig overrides the TLS settings (tests: a private CA).
	TLSConfig *tls.Config
	// Now dates the messages; nil: time.Now.
	Now func() time.Time
}

// Send delivers one mail about its event.
func (m *Mailer) Send(ctx context.Context, mail *casebook.Mail) error {
	msg, err := m.Compose(mail)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout())
	defer cancel()
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	tlsConfig := m.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
	}
	dialer := &net.Dialer{}
	var conn net.Conn
	if m.Security == SMTPTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to the SMTP server: %w", err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if m.Security == SMTPStartTLS || m.Security == "" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server does not offer STARTTLS")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.Username != "" {
		// PlainAuth refuses to send the password over a connection
		// without TLS unless the server is on localhost.
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(addrOnly(m.From)); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(mail.To); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	return c.Quit()
}

// addrOnly returns the address of "Name <addr>" or addr.
func addrOnly(s string) string {
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		return s[i+1 : j]
	}
	return s
}

// Compose returns the whole message: headers and a quoted-printable
// plain-text body.
func (m *Mailer) Compose(mail *casebook.Mail) ([]byte, error) {
	lang := m.Lang
	if _, ok := mailTemplates[lang]; !ok {
		lang = "zh-cn"
	}
	tpl, ok := mailTemplates[lang][mail.Event.Type]
	if !ok {
		return nil, fmt.Errorf("no mail template for %s", mail.Event.Type)
	}
	data := mailData{Event: mail.Event, Lang: lang, BaseURL: strings.TrimRight(m.BaseURL, "/")}
	var subject, body bytes.Buffer
	if err := tpl.subject.Execute(&subject, data); err != nil {
		return nil, fmt.Errorf("mail subject: %w", err)
	}
	if err := tpl.body.Execute(&body, data); err != nil {
		return nil, fmt.Errorf("mail body: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", m.From)
	header("To", mail.To)
	header("Subject", mime.QEncoding.Encode("utf-8", strings.TrimSpace(subject.String())))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+mail.Event.ID+"."+strconv.FormatInt(mail.ID, 10)+"@casebook>")
	header("X-Casebook-Event-Id", mail.Event.ID)
	header("X-Casebook-Event-Type", mail.Event.Type)
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body.String(), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// mailData is what the templates see.
type mailData struct {
	Event   *casebook.Event
	Lang    string
	BaseURL string
}

// Status returns the localised name of a ticket or authorization status
// held in the event's data under key, with its number.
func (d mailData) Status(key string) string {
	v := d.Event.Data[key]
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	name, ok := casebook.CaseStatusName(n, d.Lang)
	if strings.HasPrefix(d.Event.Type, "authorization.") {
		name, ok = casebook.AuthStatusName(n, d.Lang)
	}
	if !ok {
		return v
	}
	return name + " (" + v + ")"
}

type mailTemplate struct{ subject, body *template.Template }

// mailTemplates holds, per language and event type, the subject and the
// plain-text body. Only the event types that mails are sent for.
var mailTemplates = func() map[string]map[string]mailTemplate {
	src := map[string]map[string][2]string{
		"en-us": {
			casebook.EventMessageAdded:           {"[Casebook] New reply on ticket {{.Event.CaseID}}", "Support engineer {{.Event.ActorName}} replied on your ticket {{.Event.CaseID}}.\n\nRead the reply in the console or through the API (ListMessages)."},
			casebook.EventCaseStatusChanged:      {"[Casebook] Ticket {{.Event.CaseID}}: {{.Status \"to_status\"}}", "The status of your ticket {{.Event.CaseID}} changed from {{.Status \"from_status\"}} to {{.Status \"to_status\"}}."},
			casebook.EventAuthorizationRequested: {"[Casebook] Access requested on ticket {{.Event.CaseID}}", "Support engineer {{.Event.ActorName}} asks for access to your resources to work on ticket {{.Event.CaseID}}.\n\nAuthorization: {{.Event.AuthorizationID}}\n\nReview it, then confirm or reject it (ConfirmAuthorizations). Nothing is granted until you confirm."},
			casebook.EventCaseCreated:            {"[Casebook] New ticket {{.Event.CaseID}} in the queue", "A new ticket {{.Event.CaseID}} is waiting in the queue (account {{.Event.AccountID}}, opened by {{.Event.ActorName}}).{{if .BaseURL}}\n\n{{.BaseURL}}/support/v1/cases/{{.Event.CaseID}}{{end}}"},
			casebook.EventAuthorizationConfirmed: {"[Casebook] Access granted on ticket {{.Event.CaseID}}", "The customer granted authorization {{.Event.AuthorizationID}} on ticket {{.Event.CaseID}} (engineer {{index .Event.Data \"engineer_id\"}}), from {{index .Event.Data \"effective_at\"}} to {{index .Event.Data \"expire_at\"}}.\n\nThe requesting engineer reads the credentials through the support API; every read is audited."},
		},
		"zh-cn": {
			casebook.EventMessageAdded:           {"[Casebook] 工单 {{.Event.CaseID}} 有新的回复", "技术支持工程师 {{.Event.ActorName}} 回复了您的工单 {{.Event.CaseID}}。\n\n请在控制台或通过 API（ListMessages）查看回复。"},
			casebook.EventCaseStatusChanged:      {"[Casebook] 工单 {{.Event.CaseID}}：{{.Status \"to_status\"}}", "您的工单 {{.Event.CaseID}} 的状态已从 {{.Status \"from_status\"}} 变为 {{.Status \"to_status\"}}。"},
			casebook.EventAuthorizationRequested: {"[Casebook] 工单 {{.Event.CaseID}} 的访问授权申请", "技术支持工程师 {{.Event.ActorName}} 为处理工单 {{.Event.CaseID}} 申请访问您的资源。\n\n授权：{{.Event.AuthorizationID}}\n\n请审核后确认或拒绝（ConfirmAuthorizations）。在您确认之前，不会授予任何访问权限。"},
			casebook.EventCaseCreated:            {"[Casebook] 队列中有新工单 {{.Event.CaseID}}", "新工单 {{.Event.CaseID}} 正在队列中等待处理（账号 {{.Event.AccountID}}，提交人 {{.Event.ActorName}}）。{{if .BaseURL}}\n\n{{.BaseURL}}/support/v1/cases/{{.Event.CaseID}}{{end}}"},
			casebook.EventAuthorizationConfirmed: {"[Casebook] 工单 {{.Event.CaseID}} 的访问已授权", "客户已确认工单 {{.Event.CaseID}} 的授权 {{.Event.AuthorizationID}}（工程师 {{index .Event.Data \"engineer_id\"}}），有效期 {{index .Event.Data \"effective_at\"}} 至 {{index .Event.Data \"expire_at\"}}。\n\n申请的工程师通过支持 API 读取凭据；每次读取都会被审计。"},
		},
	}
	out := map[string]map[string]mailTemplate{}
	for lang, byType := range src {
		out[lang] = map[string]mailTemplate{}
		for typ, st := range byType {
			out[lang][typ] = mailTemplate{
				subject: template.Must(template.New(lang + typ + "subject").Option("missingkey=zero").Parse(st[0])),
				body:    template.Must(template.New(lang + typ + "body").Option("missingkey=zero").Parse(st[1] + "\n\n-- \nCasebook\n")),
			}
		}
	}
	return out
}()

// DefaultMailTimeout bounds one SMTP exchange when Mailer.Timeout is zero.
const DefaultMailTimeout = 30 * time.Second

// timeout is the bound of one send, which the worker's lease covers too.
func (m *Mailer) timeout() time.Duration { return cmp.Or(m.Timeout, DefaultMailTimeout) }
