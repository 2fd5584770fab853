package casebook

import "time"

// Authorization statuses, as numbered by the OSM API.
const (
	AuthStatusPending    = 0 // the engineer asked; the customer has not answered
	AuthStatusAuthorized = 1 // granted, possibly not yet in force (window start)
	AuthStatusRejected   = 2 // the customer refused the request
	AuthStatusExpired    = 3 // the grant's window has ended
	AuthStatusWithdrawn  = 4 // the engineer took the request back
	AuthStatusCancelled  = 5 // the customer revoked it (action "cancel")
)

// AuthStatusIsFinal reports whether no further transition is possible.
func AuthStatusIsFinal(status int) bool { return status >= AuthStatusRejected }

// Authorization detail types.
const (
	AuthDetailConsole = 0
	AuthDetailHost    = 1
)

// Authorization is an engineer's request for access to a customer's console
// or hosts, and, once confirmed, the customer's grant.
type Authorization struct {
	ID                  string
	AccountID           string
	CaseID              string
	Status              int // as stored; see StatusAt for what callers see
	ResourceTypeID      string
	VisitTypeID         string
	ContentTypeID       string
	Describe            string // what access is requested, and why
	ContentOfAuthLetter string
	EngineerID          string
	EngineerName        string
	HandlerID           string // the customer user who confirmed/rejected/cancelled
	HandlerName         string
	AgencyID            string
	AgencyName          string
	RejectReason        string
	EffectiveAt         *time.Time
	ExpireAt            *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	Details             []AuthDetail

	// Filled on reads from the ticket.
	CaseDescription string
	CaseCreatorID   string
	CaseCreatorName string
}

// StatusAt returns the status as of now: a grant whose window has ended reads
// as expired at that instant, before any sweeper has recorded it.
func (a *Authorization) StatusAt(now time.Time) int {
	if a.Status == AuthStatusAuthorized && a.ExpireAt != nil && !now.Before(*a.ExpireAt) {
		return AuthStatusExpired
	}
	return a.Status
}

// InForce reports whether the grant may be used now.
func (a *Authorization) InForce(now time.Time) bool {
	return a.StatusAt(now) == AuthStatusAuthorized &&
		a.EffectiveAt != nil && !now.Before(*a.EffectiveAt)
}

// AuthDetail is one item of an authorization: a console or a host the
// engineer wants to reach. Port and Account are requested by the engineer
// and may be overridden by the customer on confirmation.
type AuthDetail struct {
	ID              int64
	AuthorizationID string
	Type            int // AuthDetailConsole or AuthDetailHost
	InstanceID      string
	InstanceName    string
	RegionID        string
	Port            int
	Account         string
	HasCredential   bool // a password was given and is still held
}

// Credential is what the customer hands over for one detail item. Password
// is plaintext only in memory: stores hold it sealed (Sealed) and it is never
// logged, returned by a customer endpoint, or kept after the grant ends.
type Credential struct {
	DetailID int64
	Port     int
	Account  string
	Password string
	Sealed   []byte
}

// AuthorizationFilter selects authorizations for ListAuthorizations and the
// engineers' view.
type AuthorizationFilter struct {
	Scope             Scope
	AllAccounts       bool   // engineers only; Scope is ignored then
	EngineerID        string // engineers: only their own requests
	CaseID            string
	Status            *int // effective status, evaluated at Now
	Now               time.Time
	CreatorName       string // sub_customer_name: exact user name of the ticket's creator
	DescriptionSearch string // substring of the ticket description
	Offset            int
	Limit             int
	// WithDetails fills each authorization's Details. Only the support
	// API's list shows them: the customers' lists show none, and reading
	// them was a third of the customer list's reads.
	WithDetails bool
}
