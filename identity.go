package casebook

import "time"

// Account is a customer: an IAM "domain". Every ticket, attachment and
// authorization belongs to exactly one account, and no query ever crosses
// accounts on behalf of a customer.
type Account struct {
	ID        string // 32 lower-case hex characters, like a Huawei domain id
	Name      string // unique; the domain name used to log in
	CreatedAt time.Time
}

// User is an IAM user of an account. The account's master user has IsMaster
// set and sees every ticket of the account; a sub-user sees their own
// tickets, and those of a group's members when they name the group.
type User struct {
	ID           string // 32 lower-case hex characters
	AccountID    string
	Name         string // unique within the account
	PasswordHash string // see auth.HashPassword; never leaves the server
	IsMaster     bool
	Enabled      bool
	// Epoch is bumped whenever existing credentials must stop working
	// (disable, password change); tokens carry the epoch they were issued at.
	Epoch     int64
	CreatedAt time.Time
}

// Group is an IAM user group of an account.
type Group struct {
	ID        string // 32 lower-case hex characters
	AccountID string
	Name      string // unique within the account
	CreatedAt time.Time
}

// Engineer is a support engineer: the other side of the desk. Engineers are
// not members of any account; they work the queue of every account.
type Engineer struct {
	ID           string
	Name         string // unique
	PasswordHash string
	Enabled      bool
	Epoch        int64
	// Email is the engineer's own address for notifications ("" when
	// none): new tickets in the queue, grants made to them.
	Email     string
	CreatedAt time.Time
}

// AccessKey is an AK/SK pair of a user, used for SDK-HMAC-SHA256 request
// signatures. The secret is stored encrypted and shown only once, on creation.
type AccessKey struct {
	ID               string // the AK: 20 upper-case letters and digits
	AccountID        string
	UserID           string
	SecretCiphertext []byte // the SK sealed with the server's data key
	Enabled          bool
	Description      string // the owner's note, up to MaxAccessKeyDescription characters
	CreatedAt        time.Time
}

// Realm tells which side of the desk a principal is on.
type Realm string

const (
	RealmCustomer Realm = "customer"
	RealmEngineer Realm = "engineer"
)

// Principal is the authenticated caller of a request, resolved by the HTTP
// layer from a token or a signature. Groups are resolved at request time so
// that membership changes apply immediately.
type Principal struct {
	Realm       Realm
	AccountID   string // customers only
	AccountName string // customers only
	UserID      string // the user's or the engineer's id
	UserName    string
	IsMaster    bool
	Groups      []string // ids of the groups the user belongs to
}

// InGroup reports whether the principal is a member of the group.
func (p *Principal) InGroup(groupID string) bool {
	for _, g := range p.Groups {
		if g == groupID {
			return true
		}
	}
	return false
}

// AuditEvent is one entry of the append-only audit log. Credential reads by
// engineers are always recorded; the log never holds the secrets themselves.
type AuditEvent struct {
	ID              int64
	At              time.Time
	ActorRealm      Realm
	ActorID         string
	ActorName       string
	Action          string // e.g. AuditCredentialRead
	AccountID       string
	CaseID          string
	AuthorizationID string
	Detail          string
}

// Audit actions.
const (
	AuditCredentialRead      = "credential.read"
	AuditCredentialDestroyed = "credential.destroyed"
	AuditGrantConfirmed      = "authorization.confirmed"
	AuditGrantEnded          = "authorization.ended"
)
