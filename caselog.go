package casebook

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CaseEvent is one entry of a ticket's history (ListCaseOperateLogs): what
// happened, who did it and when, written in the transaction of the change.
// Detail names what the event is about (an authorization, a related
// ticket, file names, "1 -> 17" for a status change, the customer's
// operate_desc), never a secret: a credential read records who and when,
// not what.
type CaseEvent struct {
	ID         int64
	AccountID  string
	CaseID     string
	Kind       int
	ActorRealm Realm
	ActorID    string
	ActorName  string
	Detail     string
	At         time.Time
}

// Kinds of case events: the OSM operate_type. Huawei documents 0, 2, 3, 4,
// 5, 13, 73, 74 and 83; the others are Casebook's own, from 1000 up (the
// field is an integer 0..65535), listed in docs/compatibility.md.
const (
	CaseEventCreated          = 0
	CaseEventUrged            = 2
	CaseEventClosed           = 3
	CaseEventCancelled        = 4
	CaseEventEvaluated        = 5 // satisfaction scores (CreateScores, close)
	CaseEventDeleted          = 13
	CaseEventAuthConfirmed    = 73
	CaseEventAuthRejected     = 74
	CaseEventAuthCancelled    = 83
	CaseEventStatusChanged    = 1001 // Detail "from -> to"
	CaseEventMessage          = 1010 // Detail: the message id
	CaseEventMessageWithdrawn = 1011 // Detail: the message id
	CaseEventAttachment       = 1020 // Detail: the file name
	CaseEventRelationAdded    = 1030 // Detail: the related ticket
	CaseEventRelationRemoved  = 1031
	CaseEventLabelAdded       = 1040 // no detail: labels are personal, the history is not
	CaseEventLabelRemoved     = 1041
	CaseEventAuthRequested    = 1050 // Detail: the authorization id
	CaseEventAuthWithdrawn    = 1051
	CaseEventAuthExpired      = 1052
	CaseEventCredentialsRead  = 1053
	CaseEventContactChanged   = 114 // Huawei's: contact method changed
)

// caseEventText names each kind, in Chinese and English.
var caseEventText = map[int][2]string{
	CaseEventCreated:          {"创建工单", "Created the case"},
	CaseEventUrged:            {"催单", "Urged the case"},
	CaseEventClosed:           {"关闭工单", "Closed the case"},
	CaseEventCancelled:        {"撤销工单", "Cancelled the case"},
	CaseEventEvaluated:        {"评价工单", "Rated the service"},
	CaseEventDeleted:          {"删除工单", "Deleted the case"},
	CaseEventAuthConfirmed:    {"租户确认授权", "Confirmed the authorization"},
	CaseEventAuthRejected:     {"租户拒绝授权", "Rejected the authorization"},
	CaseEventAuthCancelled:    {"租户取消授权", "Cancelled the authorization"},
	CaseEventContactChanged:   {"修改联系方式", "Changed the contact information"},
	CaseEventStatusChanged:    {"工单状态变更", "Changed the status"},
	CaseEventMessage:          {"留言", "Posted a message"},
	CaseEventMessageWithdrawn: {"撤回留言", "Withdrew a message"},
	CaseEventAttachment:       {"添加附件", "Attached a file"},
	CaseEventRelationAdded:    {"关联工单", "Associated a case"},
	CaseEventRelationRemoved:  {"取消关联工单", "Removed an associated case"},
	CaseEventLabelAdded:       {"添加标签", "Added a label"},
	CaseEventLabelRemoved:     {"移除标签", "Removed a label"},
	CaseEventAuthRequested:    {"申请授权", "Requested an authorization"},
	CaseEventAuthWithdrawn:    {"撤回授权申请", "Withdrew the authorization"},
	CaseEventAuthExpired:      {"授权到期", "The authorization expired"},
	CaseEventCredentialsRead:  {"读取授权凭据", "Read the authorization's credentials"},
}

// CaseEventText describes e in lang ("zh-cn" or "en-us"): the kind's name,
// then the detail.
func CaseEventText(e *CaseEvent, lang string) string {
	names, ok := caseEventText[e.Kind]
	text := fmt.Sprintf("event %d", e.Kind)
	if ok {
		text = names[1]
		if strings.EqualFold(lang, "zh-cn") {
			text = names[0]
		}
	}
	if e.Detail != "" {
		text += ": " + e.Detail
	}
	return text
}

// CaseEventFilter selects the events of one ticket, oldest first.
type CaseEventFilter struct {
	AccountID string
	CaseID    string
	Offset    int
	Limit     int
}

// caseJournal collects the case events of one Write transaction; the
// Service's store writes them into that transaction after the function
// returns, so an event exists exactly when its change was committed.
type caseJournal struct {
	Tx
	now    func() time.Time
	events []*CaseEvent
}

// journalStore is the Service's store: every Write carries a caseJournal.
type journalStore struct {
	Store
	now func() time.Time
}

func (s journalStore) Write(ctx context.Context, fn func(Tx) error) error {
	return s.Store.Write(ctx, func(tx Tx) error {
		j := &caseJournal{Tx: tx, now: s.now}
		if err := fn(j); err != nil {
			return err
		}
		// Ticket by ticket (a ticket's own events keep their order): each
		// append updates its ticket's event count (migration 0015) and
		// holds that row until commit, so writers that touch several
		// tickets (the expiry sweeper of each replica) take them in one
		// order and cannot deadlock.
		slices.SortStableFunc(j.events, func(a, b *CaseEvent) int {
			return cmp.Or(strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.CaseID, b.CaseID))
		})
		for _, e := range j.events {
			if err := tx.AppendCaseEvent(ctx, e); err != nil {
				return fmt.Errorf("append case event: %w", err)
			}
		}
		return nil
	})
}

// logCase records an event of the ticket accountID/caseID in the
// transaction tx, by actor, now. It is one line at each change (see
// caseJournal); tx must be the one Service.store.Write passed.
func logCase(tx Tx, kind int, actor AuditEvent, accountID, caseID, detail string) {
	j, ok := tx.(*caseJournal)
	if !ok {
		panic("casebook: logCase outside Service.store.Write")
	}
	j.events = append(j.events, &CaseEvent{
		AccountID: accountID, CaseID: caseID, Kind: kind,
		ActorRealm: actor.ActorRealm, ActorID: actor.ActorID, ActorName: actor.ActorName,
		Detail: detail, At: j.now(),
	})
}

// logAttachments records one CaseEventAttachment per attachment.
func logAttachments(tx Tx, actor AuditEvent, c *Case, as []*Accessory) {
	for _, a := range as {
		logCase(tx, CaseEventAttachment, actor, c.AccountID, c.ID, a.FileName)
	}
}

// statusChange is the detail of a CaseEventStatusChanged.
func statusChange(from, to int) string { return fmt.Sprintf("%d -> %d", from, to) }

// caseActionEvents are the events of UpdateCases' actions.
var caseActionEvents = map[string]int{
	CaseActionPress:  CaseEventUrged,
	CaseActionClose:  CaseEventClosed,
	CaseActionCancel: CaseEventCancelled,
	CaseActionDelete: CaseEventDeleted,
}

// authEndEvent is the event of an authorization reaching the final status to.
func authEndEvent(to int) int {
	switch to {
	case AuthStatusRejected:
		return CaseEventAuthRejected
	case AuthStatusCancelled:
		return CaseEventAuthCancelled
	case AuthStatusExpired:
		return CaseEventAuthExpired
	}
	return CaseEventAuthWithdrawn
}

// CaseLog returns one page of the history of a ticket the caller may see,
// oldest first, and the total. Another account's or group's ticket is
// ENOTFOUND, as everywhere.
func (s *Service) CaseLog(ctx context.Context, p *Principal, groupID, caseID string, offset, limit int) ([]*CaseEvent, int, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, 0, err
	}
	if offset, limit, err = normalizePage(offset, limit); err != nil {
		return nil, 0, err
	}
	var events []*CaseEvent
	var total int
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		events, total, err = tx.FindCaseEvents(ctx, CaseEventFilter{AccountID: c.AccountID, CaseID: c.ID, Offset: offset, Limit: limit})
		if err != nil {
			return fmt.Errorf("find case events: %w", err)
		}
		return nil
	})
	return events, total, err
}
