package casebook

import (
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
		PasswordPolicy:     DefaultPasswordPolicy(),
	}
}

// Service holds the business rules: visibility, the ticket and
// authorization state machines, limits, and the handling of secrets. It is
// the only caller of Store and BlobStore besides the admin CLI.
type Service struct {
	Store  Store
	Blobs  BlobStore
	Sealer Sealer
	Config Config
	Logger *slog.Logger
	// Logins slows down password guessing (see LoginLimiter); nil
	// limits nothing.
	Logins *LoginLimiter
	// Now returns the current time; tests inject a clock.
	Now func() time.Time
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
