package casebook

import (
	"context"
	"log/slog"
	"time"
)

// Config holds the business limits of a Service. DefaultConfig gives the
// documented defaults; every value is configurable by the operator.
type Config struct {
	MaxGrantDuration   time.Duration // longest confirmable window (end - start)
	MaxGrantStartDelay time.Duration // how far in the future a window may start
	AccessoryMaxSize   int64         // bytes per file (ShowAccessoryLimits limit_size, in MB)
	AccessoryMaxCount  int           // files per ticket creation or message (limit_count)
	AccessoryTypes     []string      // allowed lower-case extensions (limit_file_type)
	DailyUploadBytes   int64         // per uploader per UTC day (OSM.01010005)
	UrgeInterval       time.Duration // minimum time between two "press" actions
	PasswordIterations int           // PBKDF2-SHA256 iterations for new password hashes

	// Webhooks (service_notify.go). Zero values mean the defaults.
	WebhookAllowPrivate bool          // allow loopback, private and link-local targets
	WebhookMaxAttempts  int           // attempts before a delivery becomes a dead letter
	WebhookRetryBase    time.Duration // wait after the first failed attempt, doubled per attempt
	WebhookRetryMax     time.Duration // longest wait between attempts

	// E-mail (service_notify.go): when MailEnabled, dispatching an event
	// also queues mails: to the ticket's remind_mail about replies, status
	// changes and access requests; to every engineer's own address and to
	// MailEngineers (shared mailboxes) about new tickets; to the engineer
	// who asked about a grant (MailEngineers when they have no address).
	MailEnabled   bool
	MailEngineers []string
	// PasswordPolicy is what a new password must meet.
	PasswordPolicy PasswordPolicy
}

// DefaultConfig returns the defaults documented in docs/configuration.md.
func DefaultConfig() Config {
	return Config{
		MaxGrantDuration:   7 * 24 * time.Hour,
		MaxGrantStartDelay: 30 * 24 * time.Hour,
		AccessoryMaxSize:   4 << 20,
		AccessoryMaxCount:  5,
		AccessoryTypes:     []string{"jpg", "jpeg", "bmp", "png", "gif", "txt", "zip", "docx", "msg", "eml", "xlsx", "pdf", "log", "ini", "mp4", "mov"},
		DailyUploadBytes:   100 << 20,
		UrgeInterval:       30 * time.Minute,
		PasswordIterations: 600_000,
		WebhookMaxAttempts: DefaultWebhookMaxAttempts,
		WebhookRetryBase:   DefaultWebhookRetryBase,
		WebhookRetryMax:    DefaultWebhookRetryMax,
		PasswordPolicy:     DefaultPasswordPolicy(),
	}
}

// Service holds the business rules: visibility, the ticket and
// authorization state machines, limits, and the handling of secrets. It is
// the only caller of Store and BlobStore besides the admin CLI. The store
// is unexported so that the HTTP layer cannot reach it: every rule the
// HTTP layer needs is a method here.
type Service struct {
	store  Store
	Blobs  BlobStore
	Sealer Sealer
	Config Config
	Logger *slog.Logger
	// Logins slows down password guessing (see LoginLimiter); nil
	// limits nothing.
	Logins *LoginLimiter
	// Now returns the current time; tests inject a clock. Read it through
	// nowMS.
	Now func() time.Time

	// eventsOff skips writing events, for the benchmark that measures
	// what writing them costs (export_test.go); never set otherwise.
	eventsOff bool
}

// NewService returns a Service over the store, the attachment store and the
// sealer, with the given limits, the wall clock and no logger.
func NewService(store Store, blobs BlobStore, sealer Sealer, cfg Config) *Service {
	s := &Service{Blobs: blobs, Sealer: sealer, Config: cfg, Now: time.Now}
	s.store = journalStore{Store: store, now: s.nowMS} // the ticket history (caselog.go)
	return s
}

// Ready reports whether the store answers a read, for readiness probes.
func (s *Service) Ready(ctx context.Context) error {
	return s.store.Read(ctx, func(tx Tx) error {
		_, err := tx.FindAccounts(ctx)
		return err
	})
}

// nowMS returns the service clock in UTC, truncated to the millisecond
// precision of the stores, so a time written is the time read back. It is
// the only reader of Now.
func (s *Service) nowMS() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Millisecond)
}

// requireEngineer refuses callers that are not support engineers.
func requireEngineer(p *Principal) error {
	if p == nil || p.Realm != RealmEngineer || p.UserID == "" {
		return Errorf(EFORBIDDEN, engineerOnlyMessage).WithReason(ReasonNoPermission)
	}
	return nil
}

// checkLen returns an EINVALID error when v is longer than max characters.
func checkLen(field, v string, max int) error { return CheckLength(field, v, 0, max) }

// normalizePage checks offset and limit and applies the default limit to a
// limit of 0.
func normalizePage(offset, limit int) (int, int, error) {
	if err := CheckRange("offset", int64(offset), 0, MaxListOffset); err != nil {
		return 0, 0, err
	} else if err := CheckRange("limit", int64(limit), 0, MaxPageLimit); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		limit = DefaultPageLimit
	}
	return offset, limit, nil
}

// CaseInput is what a customer submits to open a ticket.
type CaseInput struct {
	BusinessTypeID    string
	IncidentSubTypeID string
	ProductCategoryID string
	RegionID          string
	ProjectID         string
	SeverityID        string
	SourceID          string
	SimpleDescription string
	RemindMobile      string
	RemindMail        string
	RemindTime        string
	AreaCode          string
	ExtendsMap        map[string]string
	AccessoryIDs      []string
}

// CaseDetail is a ticket with its conversation.
type CaseDetail struct {
	Case     *Case
	Messages []*Message
	Scores   []Score // satisfaction scores, by dimension id; empty until rated
}

// Customer ticket actions (UpdateCases action_id).
const (
	CaseActionCancel = "cancel"
	CaseActionClose  = "close"
	CaseActionPress  = "press"
	CaseActionDelete = "delete"
)

// CaseActionInput is one customer action on a ticket.
type CaseActionInput struct {
	Action      string
	Judgement   string
	OperateDesc string
	Scores      []ScoreInput // close only: the satisfaction scores, stored once
}

// UploadInput describes an attachment being uploaded.
type UploadInput struct {
	FileName    string
	ContentType string
	From        string // "incident" or "message"
	UploadType  int    // 0 normal, 1 markdown
	Size        int64  // -1 when unknown (streamed)
}

// ConfirmInput is the customer's grant of a pending authorization: a
// window, and either credentials per detail item or an IAM agency.
type ConfirmInput struct {
	Credentials []Credential
	EffectiveAt *time.Time
	ExpireAt    *time.Time
	AgencyID    string
}

// AuthorizationRequest is what an engineer asks for on a ticket.
type AuthorizationRequest struct {
	ResourceTypeID string
	VisitTypeID    string
	ContentTypeID  string
	Describe       string
	Details        []AuthDetail // 1..5; ID, AuthorizationID, HasCredential ignored
}
