package casebook

import "time"

// Ticket (case) statuses, as numbered by the OSM API.
const (
	CaseStatusPendingAcceptance = 0  // new, waiting for an engineer
	CaseStatusProcessing        = 1  // an engineer works on it
	CaseStatusPendingConfirm    = 2  // engineer proposed a resolution; customer confirms
	CaseStatusCompleted         = 3  // closed by the customer (or confirmed)
	CaseStatusCancelled         = 4  // withdrawn by the customer
	CaseStatusDeleted           = 13 // deleted by the customer; invisible in lists
	CaseStatusPendingFeedback   = 17 // engineer waits for the customer's answer
)

// CaseIsOpen reports whether a ticket in this status can still be worked on.
func CaseIsOpen(status int) bool {
	switch status {
	case CaseStatusCompleted, CaseStatusCancelled, CaseStatusDeleted:
		return false
	}
	return true
}

// Case is a service ticket.
type Case struct {
	ID                string
	AccountID         string
	CreatorID         string // the user who submitted it (x_customer_id)
	CreatorName       string
	BusinessTypeID    string // problem type
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
	Status            int
	AssigneeID        string // engineer id, empty while unassigned
	AssigneeName      string
	Judgement         string // customer's evaluation text
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ConfirmedAt       *time.Time // when it reached a final status
	LastUrgedAt       *time.Time
	// Labels are the caller's own labels on the ticket, filled by
	// ListCases; nil elsewhere.
	Labels []*Label
}

// Message types (who wrote it).
const (
	MessageFromCustomer = 0
	MessageFromEngineer = 1
)

// Message is one entry in a ticket's conversation.
type Message struct {
	ID          string
	AccountID   string
	CaseID      string
	Type        int // MessageFromCustomer or MessageFromEngineer
	AuthorID    string
	AuthorName  string
	Content     string
	IsFirst     bool // the ticket's description, written at creation
	CreatedAt   time.Time
	Accessories []AccessoryRef
}

// AccessoryRef names an attachment of a message.
type AccessoryRef struct {
	ID       string
	FileName string
}

// Accessory is an uploaded attachment. It is uploaded first, unattached, and
// then attached to a ticket (on creation) or to a message.
type Accessory struct {
	ID          string
	AccountID   string
	UploaderID  string // user or engineer id
	FileName    string
	ContentType string
	Size        int64
	SHA256      string // hex digest of the content
	BlobKey     string // key in the blob store
	From        string // "incident" or "message"
	UploadType  int    // 0 normal, 1 markdown
	CaseID      string // empty while unattached
	MessageID   string // empty unless attached to a message
	CreatedAt   time.Time
}

// Relation links a ticket to another ticket of the same account.
type Relation struct {
	AccountID string
	CaseID    string
	RelatedID string
	CreatedAt time.Time
	// Filled on reads from the related ticket.
	RelatedDescription string
	RelatedCreatorName string
}

// Scope restricts reads and writes to what a customer may see: always one
// account; then either the whole account (master user), or the tickets
// created by UserID, plus those created by the members of GroupID when set.
type Scope struct {
	AccountID string
	All       bool
	UserID    string
	GroupID   string
}

// CaseFilter selects tickets for ListCases and the engineers' queue.
type CaseFilter struct {
	Scope             Scope
	AllAccounts       bool   // engineers' queue only; Scope is ignored then
	AccountID         string // engineers' queue only: one account's tickets
	Unassigned        bool   // engineers' queue only: tickets no engineer has taken
	ID                string
	Status            *int
	Statuses          []int
	SearchKeys        []string // each must occur in the description
	AppKey            string   // matches id or description
	CreatorID         string
	CreatorName       string
	AssigneeID        string
	CreatedFrom       *time.Time
	CreatedTo         *time.Time
	LabelIDs          []int64 // tickets carrying any of these labels (checked by the Service)
	ProductCategoryID string
	BusinessTypeID    string
	SourceIDs         []string    // any of these sources
	Before            *CaseCursor // only tickets after this one in list order (older), for batches
	IncludeDeleted    bool
	Offset            int
	Limit             int
}

// CaseCursor is a position in a ticket list (newest first): the list's
// order is by creation time, then id, both descending.
type CaseCursor struct {
	CreatedAt time.Time
	ID        string
}

// MessageFilter selects messages of one ticket.
type MessageFilter struct {
	AccountID string
	CaseID    string
	Offset    int
	Limit     int
}
