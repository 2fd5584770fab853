package casebook

import (
	"net/netip"
	"slices"
	"time"
)

// Event types: what a person may want to be told about. They are the
// values of Event.Type and of a webhook subscription's event list.
const (
	EventCaseCreated            = "case.created"
	EventCaseStatusChanged      = "case.status_changed"
	EventCaseUrged              = "case.urged"
	EventMessageAdded           = "message.added"
	EventAccessoryAdded         = "accessory.added"
	EventAuthorizationRequested = "authorization.requested"
	EventAuthorizationConfirmed = "authorization.confirmed"
	EventAuthorizationRejected  = "authorization.rejected"
	EventAuthorizationCancelled = "authorization.cancelled"
	EventAuthorizationWithdrawn = "authorization.withdrawn"
	EventAuthorizationExpired   = "authorization.expired"
	EventAuthorizationCredsRead = "authorization.credentials_read"
)

// EventTypes lists every event type, in documentation order.
var EventTypes = []string{
	EventCaseCreated, EventCaseStatusChanged, EventCaseUrged, EventMessageAdded, EventAccessoryAdded,
	EventAuthorizationRequested, EventAuthorizationConfirmed, EventAuthorizationRejected,
	EventAuthorizationCancelled, EventAuthorizationWithdrawn, EventAuthorizationExpired,
	EventAuthorizationCredsRead,
}

// IsEventType reports whether t is one of EventTypes.
func IsEventType(t string) bool { return slices.Contains(EventTypes, t) }

// Event is one entry of the transactional outbox: written in the same
// transaction as the change it describes, so a committed change always has
// its event and a rolled-back one never does. It carries ids and what
// changed, never a secret (no passwords, keys, tokens or signed links).
type Event struct {
	Seq             int64  // outbox order, set by the store
	ID              string // stable id, sent with every delivery for de-duplication
	Type            string
	At              time.Time
	AccountID       string
	CaseID          string
	AuthorizationID string
	ActorRealm      Realm
	ActorID         string
	ActorName       string
	// Data says what changed, e.g. "from_status"/"to_status",
	// "message_id", "accessory_id", "engineer_id". Never a secret.
	Data map[string]string
}

// NewEventID returns an event id (18 characters).
func NewEventID() string { return "EV" + randomCode(16) }

// Webhook is an account's subscription to events, delivered as signed
// HTTP POSTs to URL.
type Webhook struct {
	ID         string
	AccountID  string
	URL        string
	EventTypes []string // empty: every type
	// SealedSecret is the signing secret sealed with the Sealer
	// (associated data: the webhook id); the plaintext is shown once, when
	// the subscription is made.
	SealedSecret []byte
	CreatedAt    time.Time
}

// Wants reports whether the subscription asked for events of type t.
func (w *Webhook) Wants(t string) bool {
	return len(w.EventTypes) == 0 || slices.Contains(w.EventTypes, t)
}

// NewWebhookID returns a webhook id (18 characters).
func NewWebhookID() string { return "WH" + randomCode(16) }

// Delivery states.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt (or in flight under a lease)
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryDead      = "dead"      // retries exhausted: dead letter, redeliverable on demand
)

// Delivery is one event to one webhook, with its attempts: the delivery
// log of a subscription.
type Delivery struct {
	ID          int64
	WebhookID   string
	AccountID   string
	EventID     string
	EventType   string
	Event       *Event // what is sent, as it was when dispatched
	State       string
	Attempts    int
	NextAt      time.Time // next attempt; while in flight, the end of the lease
	LastStatus  int       // HTTP status of the last attempt, 0 if none
	LastError   string    // why the last attempt failed, "" if it did not
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
}

// DeliveryFilter selects deliveries, newest first.
type DeliveryFilter struct {
	AccountID string
	WebhookID string
	State     string // "" any
	Limit     int
}

// PublicAddr reports whether ip may be the target of a webhook when the
// operator has not allowed private targets: not loopback, private
// (RFC 1918, unique local), link-local, unspecified, multicast, CGNAT
// (100.64/10) or an IPv4-mapped form of one of those. It is checked when
// a subscription is made and again when the connection is dialled, so a
// name that later resolves to an internal address (DNS rebinding) is
// refused too.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	if ip.Is4() && cgnat.Contains(ip) {
		return false
	}
	return true
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Mail audiences.
const (
	MailToCustomer = "customer" // the ticket's remind_mail
	MailToEngineer = "engineer" // engineers: their own addresses and the operator's shared ones
)

// Mail is one e-mail about an event to one recipient: the mail log and
// its retry queue. States are the Delivery* ones (sent = delivered).
type Mail struct {
	ID        int64
	AccountID string
	EventID   string
	Event     *Event
	To        string
	Audience  string
	State     string
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    *time.Time
}

// MailFilter selects mails, newest first.
type MailFilter struct {
	AccountID string
	EventID   string
	State     string
	Limit     int
}
