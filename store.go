package casebook

import (
	"context"
	"io"
	"time"
)

// Store is the persistence of Casebook, implemented by the sqlite and
// postgres packages over the shared SQL in sqlstore. Every method of Tx that
// reads customer data takes the account id (or a Scope, which carries it),
// so the schema can be sharded by account; the few unscoped lookups are
// named ...ByID and are for engineers and internal jobs.
//
// Not-found is always an ENOTFOUND *Error, never (nil, nil). Unique
// violations are ECONFLICT.
type Store interface {
	// Read runs fn in a read-only transaction.
	Read(ctx context.Context, fn func(Tx) error) error
	// ReadOne runs fn outside a transaction; fn makes one statement (a
	// Tx method documented as one statement), which reads one snapshot by
	// itself. It saves the BEGIN and COMMIT of Read, about a quarter of a
	// read by key on SQLite and two round trips on PostgreSQL. It runs one
	// SELECT: a second statement panics (it would read another snapshot),
	// and a write fails (outside a transaction it would commit on its own).
	ReadOne(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a read-write transaction and commits if fn returns
	// nil. Writers that touch the same ticket or authorization are
	// serialised: inside Write, FindCase, FindCaseByID, FindAuthorization
	// and FindAuthorizationByID lock the row they return until commit
	// (SQLite serialises all writers; PostgreSQL uses SELECT ... FOR UPDATE).
	// Writers that upload for the same user are serialised by
	// Tx.LockUploader.
	Write(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// MaxCountedTotal bounds the totals of the ticket lists and of the
// filtered authorization lists: counting stops after this many rows and a
// larger total is reported as the bound. Every page a client can reach
// lies inside it (offsets go up to 65535 and pages hold up to 100 rows),
// so a client paging by the total never misses one, and Huawei documents
// ListCases total_count as 0..65535 anyway. Counting a million rows
// exactly would cost more than reading any page.
const MaxCountedTotal = 65535 + 100

// Tx is one transaction of a Store: the union of the per-entity interfaces
// below, which one type implements (sqlstore.Tx).
type Tx interface {
	AccountTx
	UserTx
	GroupTx
	EngineerTx
	AccessKeyTx
	CaseTx
	MessageTx
	AccessoryTx
	RelationTx
	AuthorizationTx
	CredentialTx
	AuditTx
	DictionaryTx
	ScoreTx
	CaseEventTx
	FeedTx
	OutboxTx
	WebhookTx
	MailTx
	LabelTx
	CaseInfoTx
	CcEmailTx
}

// AccountTx reads and writes accounts.
type AccountTx interface {
	CreateAccount(ctx context.Context, a *Account) error
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	FindAccountByName(ctx context.Context, name string) (*Account, error)
	FindAccounts(ctx context.Context) ([]*Account, error)
	// FindAccountNames returns the names of the accounts with the given
	// ids, by id, in one query; ids that match no account are absent from
	// the map. Repeated and empty ids are allowed.
	FindAccountNames(ctx context.Context, ids []string) (map[string]string, error)
}

// UserTx reads and writes the IAM users of accounts.
type UserTx interface {
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByName(ctx context.Context, accountID, name string) (*User, error)
	FindUsers(ctx context.Context, accountID string) ([]*User, error)
	// UpdateUser saves PasswordHash, Enabled and Epoch.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user, their group memberships and access keys.
	// Tickets they created stay with the account.
	DeleteUser(ctx context.Context, accountID, id string) error
}

// CcEmailTx reads and writes the carbon-copy e-mail addresses of users.
type CcEmailTx interface {
	// SetCcEmails replaces the user's addresses by emails, in order; none
	// clears them.
	SetCcEmails(ctx context.Context, accountID, userID string, emails []string) error
	// FindCcEmails returns the user's addresses in the order they were
	// set; a user with none has an empty, non-nil list.
	FindCcEmails(ctx context.Context, accountID, userID string) ([]string, error)
}

// GroupTx reads and writes user groups and their members.
type GroupTx interface {
	CreateGroup(ctx context.Context, g *Group) error
	FindGroupByID(ctx context.Context, accountID, id string) (*Group, error)
	FindGroups(ctx context.Context, accountID string) ([]*Group, error)
	DeleteGroup(ctx context.Context, accountID, id string) error
	// AddGroupMember is idempotent; user and group must be of the account.
	AddGroupMember(ctx context.Context, accountID, groupID, userID string) error
	RemoveGroupMember(ctx context.Context, accountID, groupID, userID string) error
	FindGroupIDsOfUser(ctx context.Context, userID string) ([]string, error)
}

// EngineerTx reads and writes support engineers.
type EngineerTx interface {
	CreateEngineer(ctx context.Context, e *Engineer) error
	FindEngineerByID(ctx context.Context, id string) (*Engineer, error)
	FindEngineerByName(ctx context.Context, name string) (*Engineer, error)
	FindEngineers(ctx context.Context) ([]*Engineer, error)
	// UpdateEngineer saves PasswordHash, Enabled, Epoch and Email.
	UpdateEngineer(ctx context.Context, e *Engineer) error
}

// AccessKeyTx reads and writes users' permanent access keys.
type AccessKeyTx interface {
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	FindAccessKey(ctx context.Context, id string) (*AccessKey, error)
	FindAccessKeys(ctx context.Context, userID string) ([]*AccessKey, error)
	// UpdateAccessKey saves Enabled and Description.
	UpdateAccessKey(ctx context.Context, k *AccessKey) error
	DeleteAccessKey(ctx context.Context, userID, id string) error
}

// CaseTx reads and writes tickets.
type CaseTx interface {
	CreateCase(ctx context.Context, c *Case) error
	// FindCase returns the ticket if it is inside scope, else ENOTFOUND with
	// ReasonCaseNotFound. Deleted tickets are not found.
	FindCase(ctx context.Context, scope Scope, id string) (*Case, error)
	FindCaseByID(ctx context.Context, id string) (*Case, error)
	// FindCases returns one page, newest first, and the total count, which
	// counts at most MaxCountedTotal rows (more when the page itself lies
	// beyond): a larger total is reported as that bound.
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// UpdateCase saves Status, AssigneeID, AssigneeName, Judgement,
	// UpdatedAt, ConfirmedAt and LastUrgedAt.
	UpdateCase(ctx context.Context, c *Case) error
}

// MessageTx reads and writes the messages of tickets.
type MessageTx interface {
	CreateMessage(ctx context.Context, m *Message) error
	// FindMessages returns one page, oldest first, with Accessories filled,
	// and the total count.
	FindMessages(ctx context.Context, f MessageFilter) ([]*Message, int, error)
}

// AccessoryTx reads and writes attachments and the upload log.
type AccessoryTx interface {
	// CreateAccessory inserts the attachment and records the upload in an
	// append-only log that SumUploadSize sums.
	CreateAccessory(ctx context.Context, a *Accessory) error
	FindAccessoryByID(ctx context.Context, id string) (*Accessory, error)
	// FindAccessories returns those of ids the scope may see, in the order
	// of ids, skipping the others: unattached ones uploaded by scope.UserID
	// (any uploader for scope.All), and attached ones whose ticket is in scope.
	FindAccessories(ctx context.Context, scope Scope, ids []string) ([]*Accessory, error)
	// AttachAccessories sets CaseID (and MessageID, which may be empty).
	AttachAccessories(ctx context.Context, accountID string, ids []string, caseID, messageID string) error
	DeleteAccessory(ctx context.Context, accountID, id string) error
	// SumUploadSize returns the bytes uploaded by uploaderID since the time,
	// from the upload log: deleting an attachment does not give its bytes
	// back, so upload-delete-upload cannot evade the daily quota.
	SumUploadSize(ctx context.Context, uploaderID string, since time.Time) (int64, error)
	// LockUploader makes writers that call it for the same uploader wait
	// for each other until commit, so that checking SumUploadSize and then
	// calling CreateAccessory is safe under concurrency, across replicas.
	// Call it inside Write before SumUploadSize. SQLite serialises all
	// writers and does nothing; PostgreSQL takes a transaction-scoped
	// advisory lock. Inside Read it does nothing.
	LockUploader(ctx context.Context, uploaderID string) error
}

// RelationTx reads and writes relations between tickets.
type RelationTx interface {
	CreateRelation(ctx context.Context, r *Relation) error
	// FindRelations returns the relations of caseID with the related
	// tickets' description and creator name, oldest first.
	FindRelations(ctx context.Context, accountID, caseID string) ([]*Relation, error)
	DeleteRelation(ctx context.Context, accountID, caseID, relatedID string) error
}

// AuthorizationTx reads and writes authorizations and their details.
type AuthorizationTx interface {
	// CreateAuthorization inserts the authorization and its details and
	// sets each Details[i].ID and AuthorizationID.
	CreateAuthorization(ctx context.Context, a *Authorization) error
	// FindAuthorization returns the authorization, with details and the
	// ticket's description and creator, if its ticket is inside scope. It
	// is one statement (ReadOne).
	FindAuthorization(ctx context.Context, scope Scope, id string) (*Authorization, error)
	FindAuthorizationByID(ctx context.Context, id string) (*Authorization, error)
	// FindAuthorizations returns one page, newest first (with details if
	// f.WithDetails), and
	// the total count. A customer's list without filters (only Scope,
	// Offset and Limit) has an exact total and costs the same at any size
	// and offset; with any filter, the total is bounded as FindCases's. A
	// Status filter matches the effective status at f.Now.
	FindAuthorizations(ctx context.Context, f AuthorizationFilter) ([]*Authorization, int, error)
	// UpdateAuthorization saves Status, HandlerID, HandlerName, AgencyID,
	// AgencyName, RejectReason, EffectiveAt, ExpireAt and UpdatedAt of an
	// authorization stored with status from; of any other, or one that
	// does not exist, it is ENOTFOUND and changes nothing. Details are
	// saved by UpdateAuthDetail; HasCredential is read from the credentials.
	UpdateAuthorization(ctx context.Context, a *Authorization, from int) error
	// UpdateAuthDetail saves Port and Account of the detail d.ID of the
	// authorization d.AuthorizationID (ENOTFOUND if there is none).
	UpdateAuthDetail(ctx context.Context, d AuthDetail) error
	// FindDueAuthorizations returns up to limit authorizations stored as
	// authorized whose window ended at or before now; inside Write they are
	// locked, and rows locked by another writer are skipped.
	FindDueAuthorizations(ctx context.Context, now time.Time, limit int) ([]*Authorization, error)
	// FindOpenAuthorizationsOfCase returns the pending and authorized ones.
	FindOpenAuthorizationsOfCase(ctx context.Context, accountID, caseID string) ([]*Authorization, error)
}

// CredentialTx reads and writes the sealed credentials of authorizations.
type CredentialTx interface {
	// SetCredentials replaces the sealed credentials of an authorization;
	// a detail's HasCredential reads whether it has one.
	SetCredentials(ctx context.Context, authorizationID string, creds []Credential) error
	// FindCredentials returns the sealed credentials (Password empty).
	FindCredentials(ctx context.Context, authorizationID string) ([]Credential, error)
	// DestroyCredentials deletes the credentials (the rows, not a flag)
	// and returns how many there were.
	DestroyCredentials(ctx context.Context, authorizationID string) (int, error)
}

// AuditTx appends to and reads the audit log, which is append-only (the
// schema refuses UPDATE and DELETE).
type AuditTx interface {
	// AppendAudit appends the event and sets its ID, at the latest when
	// Write returns.
	AppendAudit(ctx context.Context, e *AuditEvent) error
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// CaseEventTx appends to and reads the tickets' histories, which are
// append-only (the schema refuses UPDATE and DELETE).
type CaseEventTx interface {
	// AppendCaseEvent inserts the event and sets its ID, at the latest
	// when Write returns (a store may insert a transaction's journal rows
	// at its end).
	AppendCaseEvent(ctx context.Context, e *CaseEvent) error
	// FindCaseEvents returns one page of a ticket's events, oldest first
	// (in id order), and the total.
	FindCaseEvents(ctx context.Context, f CaseEventFilter) ([]*CaseEvent, int, error)
}

// FeedTx reads the conversation feed of several tickets and keeps the
// users' read markers.
type FeedTx interface {
	// FindCasesIn returns those of the tickets ids inside scope and not
	// deleted, in one query, in no particular order; the others are
	// absent.
	FindCasesIn(ctx context.Context, scope Scope, ids []string) ([]*Case, error)
	// FindNewMessages returns, oldest first, up to limit messages of the
	// tickets caseIDs (all of the account) that come after the cursor in
	// (CreatedAt, ID) order and were created before the time, with
	// Accessories filled: one index range per ticket, in one query.
	FindNewMessages(ctx context.Context, accountID string, caseIDs []string, after FeedCursor, before time.Time, limit int) ([]*Message, error)
	// FindOlderMessages returns, newest first, up to limit messages of the
	// ticket created before the time, and those of that very millisecond
	// whose Type is not boundaryType (the type of the message the caller
	// already has there), with Accessories filled.
	FindOlderMessages(ctx context.Context, accountID, caseID string, before time.Time, boundaryType, limit int) ([]*Message, error)
	// FindLatestMessage returns the newest message of the ticket;
	// ENOTFOUND if it has none.
	FindLatestMessage(ctx context.Context, accountID, caseID string) (*Message, error)
	// CountUnread returns, per ticket of caseIDs, how many messages not
	// written by userID come after the user's read marker (all of them
	// without one); tickets with none are absent.
	CountUnread(ctx context.Context, accountID, userID string, caseIDs []string) (map[string]int, error)
	// SetReadMarker sets the user's marker on the ticket (insert or
	// replace).
	SetReadMarker(ctx context.Context, accountID, caseID, userID string, upTo FeedCursor) error
	// FindMessage returns one message of the ticket; ENOTFOUND if absent.
	FindMessage(ctx context.Context, accountID, caseID, id string) (*Message, error)
	// DeleteMessage deletes the message and the attachments attached to
	// it (rows, not flags) and returns the attachments' blob keys.
	DeleteMessage(ctx context.Context, accountID, caseID, id string) ([]string, error)
}

// FeedCursor is a position in the (CreatedAt, ID) order of messages. ID
// "" with a time is the position before every message of that instant.
type FeedCursor struct {
	At time.Time
	ID string
}

// OutboxTx writes events to the transactional outbox and hands them to
// the notification workers.
type OutboxTx interface {
	// AppendEvent adds the event to the outbox and sets its Seq, at the
	// latest when Write returns. Call it in the transaction of the change
	// the event describes. It writes one row to a table without secondary
	// indexes: the cost every change that causes an event pays.
	AppendEvent(ctx context.Context, e *Event) error
	// ClaimEvents returns up to limit events of the outbox, oldest first.
	// Inside Write they are locked and rows locked by another writer are
	// skipped (FOR UPDATE SKIP LOCKED), so replicas share one outbox.
	ClaimEvents(ctx context.Context, limit int) ([]*Event, error)
	// DeleteEvents removes dispatched events from the outbox (their
	// deliveries carry them from then on).
	DeleteEvents(ctx context.Context, seqs []int64) error
}

// WebhookTx reads and writes webhook subscriptions and their deliveries.
type WebhookTx interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	// FindWebhook returns the account's webhook, or ENOTFOUND.
	FindWebhook(ctx context.Context, accountID, id string) (*Webhook, error)
	// FindWebhooks returns the account's webhooks, oldest first.
	FindWebhooks(ctx context.Context, accountID string) ([]*Webhook, error)
	// DeleteWebhook removes the webhook and its delivery log.
	DeleteWebhook(ctx context.Context, accountID, id string) error
	// CreateDelivery inserts a delivery with its Event and sets its ID;
	// an event is delivered to a webhook once (ECONFLICT for a second one).
	CreateDelivery(ctx context.Context, d *Delivery) error
	// FindDelivery returns the account's delivery, or ENOTFOUND. Every
	// find of deliveries fills Event.
	FindDelivery(ctx context.Context, accountID string, id int64) (*Delivery, error)
	// FindDeliveries returns the deliveries f selects, newest first.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// ClaimDeliveries returns up to limit pending deliveries whose NextAt
	// is at or before now, soonest first; inside Write they are locked and
	// rows locked by another writer are skipped.
	ClaimDeliveries(ctx context.Context, now time.Time, limit int) ([]*Delivery, error)
	// UpdateDelivery saves State, Attempts, NextAt, LastStatus, LastError,
	// UpdatedAt and DeliveredAt.
	UpdateDelivery(ctx context.Context, d *Delivery) error
}

// MailTx reads and writes the e-mails to send.
type MailTx interface {
	// CreateMail inserts a mail with its Event and sets its ID; one per
	// event and recipient (ECONFLICT for a second one).
	CreateMail(ctx context.Context, m *Mail) error
	// ClaimMails returns up to limit pending mails whose NextAt is at or
	// before now, soonest first; inside Write they are locked and rows
	// locked by another writer are skipped.
	ClaimMails(ctx context.Context, now time.Time, limit int) ([]*Mail, error)
	// FindMail returns the mail, or ENOTFOUND.
	FindMail(ctx context.Context, id int64) (*Mail, error)
	// FindMails returns the mails f selects, newest first.
	FindMails(ctx context.Context, f MailFilter) ([]*Mail, error)
	// UpdateMail saves State, Attempts, NextAt, LastError, UpdatedAt and
	// SentAt.
	UpdateMail(ctx context.Context, m *Mail) error
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	AccountID       string
	AuthorizationID string
	ActorID         string
	Limit           int
}

// LabelTx reads and writes users' labels and their links to tickets.
type LabelTx interface {
	// CreateLabel inserts the label and sets its ID; a name the owner
	// already uses is ECONFLICT.
	CreateLabel(ctx context.Context, l *Label) error
	// FindLabel returns the owner's label, else ENOTFOUND.
	FindLabel(ctx context.Context, accountID, ownerID string, id int64) (*Label, error)
	// FindLabels returns one page, oldest first, and the exact total.
	FindLabels(ctx context.Context, f LabelFilter) ([]*Label, int, error)
	// UpdateLabel saves Name and Color; a name taken is ECONFLICT.
	UpdateLabel(ctx context.Context, l *Label) error
	// DeleteLabel removes the label and its links to tickets.
	DeleteLabel(ctx context.Context, accountID, ownerID string, id int64) error
	// LockLabelOwner makes writers that call it for the same owner wait for
	// each other until commit (as LockUploader), so the per-user cap holds.
	LockLabelOwner(ctx context.Context, ownerID string) error
	// AddCaseLabel links a label to a ticket; an existing link is kept.
	AddCaseLabel(ctx context.Context, c *Case, labelID int64, at time.Time) error
	RemoveCaseLabel(ctx context.Context, caseID string, labelID int64) error
	// FindCaseLabels returns, by ticket id, the owner's labels on each of
	// caseIDs, oldest link first, in one query.
	FindCaseLabels(ctx context.Context, ownerID string, caseIDs []string) (map[string][]*Label, error)
}

// CaseInfoTx reads and writes the parts of tickets beyond their lifecycle:
// contact details, extension parameters, counters and the export.
type CaseInfoTx interface {
	// UpdateCaseInfo saves AreaCode, RemindMobile, RemindMail, RemindTime,
	// ExtendsMap and UpdatedAt.
	UpdateCaseInfo(ctx context.Context, c *Case) error
	// CountCasesByStatus counts the tickets in scope by status (deleted
	// ones left out).
	CountCasesByStatus(ctx context.Context, scope Scope) (map[int]int, error)
	// EachCase calls fn for every ticket f selects, newest first, reading
	// rows as fn consumes them (f.Offset skips, f.Limit 0 means no bound),
	// so memory does not grow with the number of tickets.
	EachCase(ctx context.Context, f CaseFilter, fn func(*Case) error) error
}

// BlobStore holds attachment contents. Implemented by blob/fs (a local
// directory) and blob/s3 (any S3-compatible server).
type BlobStore interface {
	// Put streams r to key; size is -1 when unknown. A failed Put leaves
	// no object behind.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get returns ENOTFOUND for a missing key.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete is idempotent.
	Delete(ctx context.Context, key string) error
}

// Sealer encrypts secrets at rest (credentials, secret keys). The
// associated data binds a ciphertext to its owner, so a sealed value copied
// to another row does not open.
type Sealer interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(sealed, associatedData []byte) ([]byte, error)
}

// DictionaryTx keeps the operator's dictionary set (Dictionaries) as one
// JSON document, replaced whole so an import is atomic.
type DictionaryTx interface {
	// FindDictionaries returns the stored document; ENOTFOUND if the
	// operator never imported one (the defaults apply).
	FindDictionaries(ctx context.Context) ([]byte, error)
	SaveDictionaries(ctx context.Context, document []byte, at time.Time) error
}

// ScoreTx keeps the satisfaction scores of tickets, given once per ticket.
type ScoreTx interface {
	// CreateScores stores the scores of a ticket; ECONFLICT if it has some.
	CreateScores(ctx context.Context, accountID, caseID string, scores []Score, at time.Time) error
	// FindScores returns the scores of a ticket, by dimension id; none is
	// an empty list, not an error.
	FindScores(ctx context.Context, accountID, caseID string) ([]Score, error)
}
