package casebook

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of webhook subscriptions.
const (
	maxWebhooksPerAccount = 20
	maxWebhookURLLen      = 2048
	maxDeliveryPage       = 1000
)

// DispatchBatchSize is how many outbox events DispatchEvents turns into
// deliveries in one transaction: a call that dispatched fewer emptied the
// outbox.
const DispatchBatchSize = 200

// Defaults of the delivery schedule (Config.Webhook*).
const (
	DefaultWebhookMaxAttempts = 8
	DefaultWebhookRetryBase   = 5 * time.Second
	DefaultWebhookRetryMax    = time.Hour
)

// emit appends one event to the outbox in tx, the transaction of the change
// it describes. c or a (or both) name the ticket and account; actor says who
// did it; data says what changed and never holds a secret.
func (s *Service) emit(ctx context.Context, tx Tx, typ string, c *Case, a *Authorization, actor AuditEvent, data ...string) error {
	if s.eventsOff {
		return nil
	}
	e := &Event{
		ID: NewEventID(), Type: typ, At: s.nowMS(),
		ActorRealm: actor.ActorRealm, ActorID: actor.ActorID, ActorName: actor.ActorName,
	}
	if c != nil {
		e.AccountID, e.CaseID = c.AccountID, c.ID
	}
	if a != nil {
		e.AccountID, e.CaseID, e.AuthorizationID = a.AccountID, a.CaseID, a.ID
	}
	if len(data) > 0 {
		e.Data = make(map[string]string, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			e.Data[data[i]] = data[i+1]
		}
	}
	if err := tx.AppendEvent(ctx, e); err != nil {
		return fmt.Errorf("append event %s: %w", typ, err)
	}
	return nil
}

// emitStatusChange emits case.status_changed when from differs from the
// ticket's status.
func (s *Service) emitStatusChange(ctx context.Context, tx Tx, c *Case, from int, actor AuditEvent) error {
	if from == c.Status {
		return nil
	}
	return s.emit(ctx, tx, EventCaseStatusChanged, c, nil, actor, "from_status", strconv.Itoa(from), "to_status", strconv.Itoa(c.Status))
}

// emitAccessoriesAdded emits accessory.added for each attachment attached
// to the ticket with the message.
func (s *Service) emitAccessoriesAdded(ctx context.Context, tx Tx, c *Case, messageID string, accessories []*Accessory, actor AuditEvent) error {
	for _, a := range accessories {
		if err := s.emit(ctx, tx, EventAccessoryAdded, c, nil, actor, "accessory_id", a.ID, "message_id", messageID, "file_name", a.FileName); err != nil {
			return err
		}
	}
	return nil
}

// authorizationEndEvents maps the final statuses of an authorization to
// their events.
var authorizationEndEvents = map[int]string{
	AuthStatusRejected:  EventAuthorizationRejected,
	AuthStatusCancelled: EventAuthorizationCancelled,
	AuthStatusWithdrawn: EventAuthorizationWithdrawn,
	AuthStatusExpired:   EventAuthorizationExpired,
}

// WebhookInput is a new subscription.
type WebhookInput struct {
	URL        string
	EventTypes []string // empty: every type
}

// findAccountRef finds an account by name, then by id.
func findAccountRef(ctx context.Context, tx Tx, ref string) (*Account, error) {
	a, err := tx.FindAccountByName(ctx, ref)
	if ErrorCode(err) == ENOTFOUND {
		a, err = tx.FindAccountByID(ctx, ref)
	}
	if ErrorCode(err) == ENOTFOUND {
		return nil, NotFoundf("Account %q does not exist.", ref)
	}
	return a, err
}

// CheckWebhookTarget refuses a target URL that is not http(s), carries
// credentials, or (unless Config.WebhookAllowPrivate) names or resolves to
// a loopback, private, link-local or otherwise internal address. The
// worker checks the address again when it dials.
func (s *Service) CheckWebhookTarget(ctx context.Context, raw string) error {
	if raw == "" {
		return Invalidf("url", "url is required.")
	} else if err := checkLen("url", raw, maxWebhookURLLen); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return Invalidf("url", "url must be an absolute http:// or https:// URL.")
	}
	if u.User != nil {
		return Invalidf("url", "url must not contain a user name or password.")
	}
	if u.Fragment != "" {
		return Invalidf("url", "url must not contain a fragment.")
	}
	if s.Config.WebhookAllowPrivate {
		return nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil || len(addrs) == 0 {
		return Invalidf("url", "The host %q of url cannot be resolved.", host)
	}
	for _, ip := range addrs {
		if !PublicAddr(ip) {
			return Invalidf("url", "url points to an internal address (%s); the operator has not allowed private webhook targets.", ip)
		}
	}
	return nil
}

// CreateWebhook subscribes the account (a name or an id) to events and
// returns the subscription and its signing secret, which is shown only
// this once. It checks nothing about who asks: the CLI is the operator,
// and the support API lets any engineer manage subscriptions.
func (s *Service) CreateWebhook(ctx context.Context, account string, in WebhookInput) (*Webhook, string, error) {
	if err := s.CheckWebhookTarget(ctx, in.URL); err != nil {
		return nil, "", err
	}
	seen := map[string]bool{}
	for _, t := range in.EventTypes {
		if !IsEventType(t) {
			return nil, "", Invalidf("event_types", "Unknown event type %q.", t)
		} else if seen[t] {
			return nil, "", Invalidf("event_types", "Event type %q is given twice.", t)
		}
		seen[t] = true
	}
	raw := make([]byte, 32)
	crand.Read(raw)
	secret := "whsec_" + hex.EncodeToString(raw)
	w := &Webhook{ID: NewWebhookID(), URL: in.URL, EventTypes: append([]string(nil), in.EventTypes...), CreatedAt: s.nowMS()}
	sealed, err := s.Sealer.Seal([]byte(secret), []byte(w.ID))
	if err != nil {
		return nil, "", fmt.Errorf("seal webhook secret: %w", err)
	}
	w.SealedSecret = sealed
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := findAccountRef(ctx, tx, account)
		if err != nil {
			return err
		}
		w.AccountID = a.ID
		existing, err := tx.FindWebhooks(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("find webhooks: %w", err)
		} else if len(existing) >= maxWebhooksPerAccount {
			return Errorf(ELIMIT, "An account has at most %d webhooks.", maxWebhooksPerAccount)
		}
		if err := tx.CreateWebhook(ctx, w); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

// Webhooks returns the subscriptions of the account (a name or an id).
func (s *Service) Webhooks(ctx context.Context, account string) ([]*Webhook, error) {
	var ws []*Webhook
	err := s.store.Read(ctx, func(tx Tx) error {
		a, err := findAccountRef(ctx, tx, account)
		if err != nil {
			return err
		}
		ws, err = tx.FindWebhooks(ctx, a.ID)
		return err
	})
	return ws, err
}

// DeleteWebhook removes a subscription and its delivery log; pending
// deliveries to it are dropped.
func (s *Service) DeleteWebhook(ctx context.Context, account, id string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := findAccountRef(ctx, tx, account)
		if err != nil {
			return err
		}
		return tx.DeleteWebhook(ctx, a.ID, id)
	})
}

// WebhookDeliveries returns the delivery log of one subscription, newest
// first, optionally only those in state ("pending", "delivered", "dead").
func (s *Service) WebhookDeliveries(ctx context.Context, account, webhookID, state string, limit int) ([]*Delivery, error) {
	switch state {
	case "", DeliveryPending, DeliveryDelivered, DeliveryDead:
	default:
		return nil, Invalidf("state", "state must be pending, delivered or dead.")
	}
	if limit < 0 || limit > maxDeliveryPage {
		return nil, Invalidf("limit", "limit must be between 0 and %d.", maxDeliveryPage)
	} else if limit == 0 {
		limit = 100
	}
	var ds []*Delivery
	err := s.store.Read(ctx, func(tx Tx) error {
		a, err := findAccountRef(ctx, tx, account)
		if err != nil {
			return err
		}
		if _, err := tx.FindWebhook(ctx, a.ID, webhookID); err != nil {
			return err
		}
		ds, err = tx.FindDeliveries(ctx, DeliveryFilter{AccountID: a.ID, WebhookID: webhookID, State: state, Limit: limit})
		return err
	})
	return ds, err
}

// Redeliver queues a delivery again, now, with a fresh retry budget:
// a dead letter after its receiver is fixed, or a delivered event the
// receiver lost. The event id stays the same. A webhookID other than ""
// must be the delivery's subscription.
func (s *Service) Redeliver(ctx context.Context, account, webhookID string, deliveryID int64) (*Delivery, error) {
	var d *Delivery
	err := s.store.Write(ctx, func(tx Tx) error {
		a, err := findAccountRef(ctx, tx, account)
		if err != nil {
			return err
		}
		if d, err = tx.FindDelivery(ctx, a.ID, deliveryID); err != nil {
			return err
		} else if webhookID != "" && d.WebhookID != webhookID {
			return NotFoundf("Delivery not found.")
		}
		now := s.nowMS()
		d.State, d.Attempts, d.NextAt, d.UpdatedAt = DeliveryPending, 0, now, now
		d.LastError = "redelivery requested"
		return tx.UpdateDelivery(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DispatchEvents turns up to one batch of outbox events into deliveries,
// one per subscription that wants the event, and returns how many events it
// dispatched. Replicas may call it at the same time: each claims other
// events (SKIP LOCKED), and an event leaves the outbox in the transaction
// that creates its deliveries, so it is dispatched exactly once.
func (s *Service) DispatchEvents(ctx context.Context) (int, error) {
	n := 0
	err := s.store.Write(ctx, func(tx Tx) error {
		n = 0
		events, err := tx.ClaimEvents(ctx, DispatchBatchSize)
		if err != nil {
			return fmt.Errorf("claim events: %w", err)
		}
		now := s.nowMS()
		hooks := map[string][]*Webhook{}
		seqs := make([]int64, 0, len(events))
		for _, e := range events {
			ws, ok := hooks[e.AccountID]
			if !ok {
				if ws, err = tx.FindWebhooks(ctx, e.AccountID); err != nil {
					return fmt.Errorf("find webhooks: %w", err)
				}
				hooks[e.AccountID] = ws
			}
			for _, w := range ws {
				if !w.Wants(e.Type) {
					continue
				}
				d := &Delivery{WebhookID: w.ID, AccountID: e.AccountID, EventID: e.ID, EventType: e.Type, Event: e,
					State: DeliveryPending, NextAt: now, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateDelivery(ctx, d); err != nil {
					return fmt.Errorf("create delivery: %w", err)
				}
			}
			if err := s.queueMails(ctx, tx, e, now); err != nil {
				return err
			}
			seqs = append(seqs, e.Seq)
		}
		n = len(seqs)
		return tx.DeleteEvents(ctx, seqs)
	})
	return n, err
}

// DeliveryJob is one attempt handed to a worker: the delivery, its event,
// the target and the opened signing secret (in memory only).
type DeliveryJob struct {
	Delivery *Delivery
	Event    *Event
	URL      string
	Secret   []byte
}

// ClaimDeliveries leases up to limit due deliveries to the calling worker
// for lease: their attempt is counted and their next attempt moved to the
// end of the lease, so a worker that dies mid-attempt leaves them to be
// retried by any worker after the lease (at least once). Replicas claim
// disjoint sets (SKIP LOCKED).
func (s *Service) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*DeliveryJob, error) {
	var jobs []*DeliveryJob
	err := s.store.Write(ctx, func(tx Tx) error {
		jobs = nil
		now := s.nowMS()
		due, err := tx.ClaimDeliveries(ctx, now, limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		hooks := map[string]*Webhook{}
		secrets := map[string][]byte{}
		for _, d := range due {
			w, ok := hooks[d.WebhookID]
			if !ok {
				if w, err = tx.FindWebhook(ctx, d.AccountID, d.WebhookID); err != nil {
					return fmt.Errorf("find webhook: %w", err)
				}
				if secrets[w.ID], err = s.Sealer.Open(w.SealedSecret, []byte(w.ID)); err != nil {
					return fmt.Errorf("open webhook secret: %w", err)
				}
				hooks[d.WebhookID] = w
			}
			d.Attempts++
			d.NextAt, d.UpdatedAt = now.Add(lease), now
			if err := tx.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			jobs = append(jobs, &DeliveryJob{Delivery: d, Event: d.Event, URL: w.URL, Secret: secrets[w.ID]})
		}
		return nil
	})
	return jobs, err
}

// DeliveryResult is the outcome of one attempt: the HTTP status (0 if
// there was no answer) and, if it failed, why (no secrets, no URL).
type DeliveryResult struct {
	Job     *DeliveryJob
	Status  int
	Failure string
}

// FinishDeliveries records the outcomes of attempts, in one transaction: a
// 2xx status delivers; anything else schedules a retry with exponential
// backoff and jitter, or, after Config.WebhookMaxAttempts attempts, makes
// the delivery a dead letter. An attempt whose lease another worker has
// taken over meanwhile (a redelivery, or a lease that ran out) changes
// nothing.
func (s *Service) FinishDeliveries(ctx context.Context, results []DeliveryResult) error {
	return s.store.Write(ctx, func(tx Tx) error {
		now := s.nowMS()
		for _, r := range results {
			d, err := tx.FindDelivery(ctx, r.Job.Delivery.AccountID, r.Job.Delivery.ID)
			if ErrorCode(err) == ENOTFOUND {
				continue // the webhook was removed meanwhile
			} else if err != nil {
				return err
			}
			if d.State != DeliveryPending || d.Attempts != r.Job.Delivery.Attempts {
				continue
			}
			d.LastStatus, d.LastError, d.UpdatedAt = r.Status, r.Failure, now
			switch {
			case r.Status >= 200 && r.Status < 300 && r.Failure == "":
				d.State, d.DeliveredAt = DeliveryDelivered, &now
			case d.Attempts >= s.webhookMaxAttempts():
				d.State = DeliveryDead
			default:
				d.NextAt = now.Add(s.retryDelay(d.Attempts))
			}
			if err := tx.UpdateDelivery(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) webhookMaxAttempts() int {
	if s.Config.WebhookMaxAttempts > 0 {
		return s.Config.WebhookMaxAttempts
	}
	return DefaultWebhookMaxAttempts
}

// retryDelay is the wait after the attempt-th failed attempt: the base
// doubled per attempt, capped, with "equal jitter" (half fixed, half
// random) so receivers that fail together are not retried together.
func (s *Service) retryDelay(attempt int) time.Duration {
	base, ceiling := s.Config.WebhookRetryBase, s.Config.WebhookRetryMax
	if base <= 0 {
		base = DefaultWebhookRetryBase
	}
	if ceiling <= 0 {
		ceiling = DefaultWebhookRetryMax
	}
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	half := d / 2
	return half + rand.N(half+1)
}

// mailRecipients returns who is told about e by e-mail, and as whom: the
// customer (the ticket's remind_mail and its creator's carbon-copy
// addresses) about an engineer's reply, a status change someone else made,
// and an access request; every enabled engineer with an address, and the
// operator's shared addresses (Config.MailEngineers), about a new ticket in
// the queue; the engineer who asked for it about a grant, at their own
// address, or at the shared ones when they have none.
func (s *Service) mailRecipients(ctx context.Context, tx Tx, e *Event) (audience string, to []string, err error) {
	switch e.Type {
	case EventCaseCreated:
		engineers, err := tx.FindEngineers(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("find engineers: %w", err)
		}
		for _, en := range engineers {
			if en.Enabled && en.Email != "" {
				to = append(to, en.Email)
			}
		}
		return MailToEngineer, append(to, s.Config.MailEngineers...), nil
	case EventAuthorizationConfirmed:
		en, err := tx.FindEngineerByID(ctx, e.Data["engineer_id"])
		if ErrorCode(err) == ENOTFOUND || (err == nil && en.Email == "") {
			return MailToEngineer, s.Config.MailEngineers, nil
		} else if err != nil {
			return "", nil, fmt.Errorf("find engineer: %w", err)
		} else if !en.Enabled {
			return "", nil, nil // a disabled engineer cannot use the grant
		}
		return MailToEngineer, []string{en.Email}, nil
	case EventMessageAdded, EventCaseStatusChanged:
		if e.ActorRealm == RealmCustomer {
			return "", nil, nil // customers are not told what they did themselves
		}
	case EventAuthorizationRequested:
	default:
		return "", nil, nil
	}
	c, err := tx.FindCaseByID(ctx, e.CaseID)
	if ErrorCode(err) == ENOTFOUND {
		return "", nil, nil
	} else if err != nil {
		return "", nil, fmt.Errorf("find case: %w", err)
	}
	if c.RemindMail != "" {
		to = append(to, c.RemindMail)
	}
	cc, err := tx.FindCcEmails(ctx, c.AccountID, c.CreatorID)
	if err != nil {
		return "", nil, fmt.Errorf("find cc emails: %w", err)
	}
	to = append(to, cc...)
	if len(to) == 0 {
		return "", nil, nil
	}
	return MailToCustomer, to, nil
}

// queueMails writes the mails about e, when e-mail is enabled.
func (s *Service) queueMails(ctx context.Context, tx Tx, e *Event, now time.Time) error {
	if !s.Config.MailEnabled {
		return nil
	}
	audience, to, err := s.mailRecipients(ctx, tx, e)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, addr := range to {
		// Domains are case-insensitive and local parts are in practice:
		// an engineer whose address is also on the shared list gets one mail.
		key := strings.ToLower(addr)
		if addr == "" || seen[key] {
			continue
		}
		seen[key] = true
		m := &Mail{AccountID: e.AccountID, EventID: e.ID, Event: e, To: addr, Audience: audience,
			State: DeliveryPending, NextAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateMail(ctx, m); err != nil {
			return fmt.Errorf("create mail: %w", err)
		}
	}
	return nil
}

// ClaimMails leases up to limit due mails to the calling worker, as
// ClaimDeliveries does deliveries.
func (s *Service) ClaimMails(ctx context.Context, limit int, lease time.Duration) ([]*Mail, error) {
	var mails []*Mail
	err := s.store.Write(ctx, func(tx Tx) error {
		now := s.nowMS()
		var err error
		if mails, err = tx.ClaimMails(ctx, now, limit); err != nil {
			return fmt.Errorf("claim mails: %w", err)
		}
		for _, m := range mails {
			m.Attempts++
			m.NextAt, m.UpdatedAt = now.Add(lease), now
			if err := tx.UpdateMail(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return mails, err
}

// FinishMail records the outcome of sending m: sent when failure is "",
// else retried with backoff, or given up after Config.WebhookMaxAttempts
// attempts (state dead).
func (s *Service) FinishMail(ctx context.Context, m *Mail, failure string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		cur, err := tx.FindMail(ctx, m.ID)
		if err != nil {
			return err
		}
		if cur.State != DeliveryPending || cur.Attempts != m.Attempts {
			return nil
		}
		now := s.nowMS()
		cur.LastError, cur.UpdatedAt = failure, now
		switch {
		case failure == "":
			cur.State, cur.SentAt = DeliveryDelivered, &now
		case cur.Attempts >= s.webhookMaxAttempts():
			cur.State = DeliveryDead
		default:
			cur.NextAt = now.Add(s.retryDelay(cur.Attempts))
		}
		return tx.UpdateMail(ctx, cur)
	})
}

// Mails returns the mail log, newest first, for operators.
func (s *Service) Mails(ctx context.Context, f MailFilter) ([]*Mail, error) {
	var ms []*Mail
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		ms, err = tx.FindMails(ctx, f)
		return err
	})
	return ms, err
}
