package casebook

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of ticket and message fields (documented OSM bounds; where doc
// versions disagree, the most permissive one that fits the SDK).
const (
	maxDescriptionLen    = 2000  // simple_description (create page: 1200; list/detail: 2000)
	maxMessageLen        = 10000 // CreateMessages message.content
	maxJudgementLen      = 400   // UpdateCases judgement / operate_desc
	maxMessagePage       = 100   // ListMessages limit
	defaultPageLimit     = 10    // when a list call leaves limit at 0
	engineerOnlyMessage  = "Only support engineers can do this."
	caseNotFoundMessage  = "This case does not exist."
	caseTakenByOtherText = "The case is handled by another engineer."
)

// nowMS returns the service clock in UTC, truncated to the millisecond
// precision of the stores, so a time written is the time read back.
func (s *Service) nowMS() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Millisecond)
}

// checkLen returns an EINVALID error when v is longer than max characters.
func checkLen(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return Invalidf(field, "%s must be at most %d characters.", field, max)
	}
	return nil
}

// normalizePage checks offset and limit and applies the default limit.
func normalizePage(offset, limit, max int) (int, int, error) {
	if offset < 0 {
		return 0, 0, Invalidf("offset", "offset must not be negative.")
	}
	if limit < 0 || limit > max {
		return 0, 0, Invalidf("limit", "limit must be between 0 and %d.", max)
	}
	if limit == 0 {
		limit = defaultPageLimit
	}
	return offset, limit, nil
}

// Validate checks a ticket submission against the documented limits and the
// dictionaries. It does not touch the store.
func (in *CaseInput) Validate() error {
	if in.BusinessTypeID == "" {
		return Invalidf("business_type_id", "business_type_id is required.")
	} else if !DictHas(DictBusinessType, in.BusinessTypeID) {
		return Invalidf("business_type_id", "Unknown business_type_id %q.", in.BusinessTypeID)
	}
	if in.SeverityID != "" && !DictHas(DictSeverity, in.SeverityID) {
		return Invalidf("severity_id", "Severity Id does not exist.").WithReason(ReasonSeverityNotFound)
	}
	if caseType, ok := BusinessCaseType(in.BusinessTypeID); ok && caseType == BusinessCaseFault && in.RegionID == "" {
		return Invalidf("region_id", "region_id is required for a fault report.")
	}
	if strings.TrimSpace(in.SimpleDescription) == "" {
		return Invalidf("simple_description", "simple_description is required.")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"simple_description", in.SimpleDescription, maxDescriptionLen},
		{"incident_sub_type_id", in.IncidentSubTypeID, 32},
		{"product_category_id", in.ProductCategoryID, 64},
		{"region_id", in.RegionID, 64},
		{"project_id", in.ProjectID, 64},
		{"severity_id", in.SeverityID, 64},
		{"source_id", in.SourceID, 32},
		{"remind_mobile", in.RemindMobile, 32},
		{"remind_mail", in.RemindMail, 128},
		{"remind_time", in.RemindTime, 16},
		{"area_code", in.AreaCode, 16},
	} {
		if err := checkLen(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CreateCase opens a ticket for the caller. The description becomes the
// ticket's first message, and the given attachments (uploaded beforehand by
// the caller, not yet attached) are attached to it.
func (s *Service) CreateCase(ctx context.Context, p *Principal, in CaseInput) (*Case, error) {
	scope, err := s.ScopeFor(ctx, p, "")
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkAccessoryCount(in.AccessoryIDs); err != nil {
		return nil, err
	}

	now := s.nowMS()
	c := &Case{
		ID:                NewCaseID(now),
		AccountID:         p.AccountID,
		CreatorID:         p.UserID,
		CreatorName:       p.UserName,
		BusinessTypeID:    in.BusinessTypeID,
		IncidentSubTypeID: in.IncidentSubTypeID,
		ProductCategoryID: in.ProductCategoryID,
		RegionID:          in.RegionID,
		ProjectID:         in.ProjectID,
		SeverityID:        in.SeverityID,
		SourceID:          in.SourceID,
		SimpleDescription: in.SimpleDescription,
		RemindMobile:      in.RemindMobile,
		RemindMail:        in.RemindMail,
		RemindTime:        in.RemindTime,
		AreaCode:          in.AreaCode,
		ExtendsMap:        copyStringMap(in.ExtendsMap),
		Status:            CaseStatusPendingAcceptance,
		CreatedAt:         now,
		UpdatedAt:         now,
	}
	if c.SourceID == "" {
		c.SourceID = SourceAPI
	}
	first := newMessage(c, MessageFromCustomer, p, in.SimpleDescription, now)
	first.IsFirst = true

	err = s.Store.Write(ctx, func(tx Tx) error {
		accessories, err := attachableAccessories(ctx, tx, scope, in.AccessoryIDs)
		if err != nil {
			return err
		}
		if err := tx.CreateCase(ctx, c); err != nil {
			return fmt.Errorf("create case: %w", err)
		}
		if err := tx.CreateMessage(ctx, first); err != nil {
			return fmt.Errorf("create first message: %w", err)
		}
		if len(accessories) > 0 {
			if err := tx.AttachAccessories(ctx, p.AccountID, in.AccessoryIDs, c.ID, first.ID); err != nil {
				return fmt.Errorf("attach accessories: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkAccessoryCount applies the per-submission attachment limit and
// refuses duplicate ids.
func (s *Service) checkAccessoryCount(ids []string) error {
	if len(ids) > s.Config.AccessoryMaxCount {
		return Invalidf("accessory_ids", "At most %d attachments are allowed.", s.Config.AccessoryMaxCount)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" {
			return Invalidf("accessory_ids", "Attachment ids must not be empty.")
		} else if seen[id] {
			return Invalidf("accessory_ids", "Attachment %q is given twice.", id)
		}
		seen[id] = true
	}
	return nil
}

// attachableAccessories returns the attachments of ids, each of which must
// be visible in scope and not yet attached to anything.
func attachableAccessories(ctx context.Context, tx Tx, scope Scope, ids []string) ([]*Accessory, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := tx.FindAccessories(ctx, scope, ids)
	if err != nil {
		return nil, fmt.Errorf("find accessories: %w", err)
	}
	byID := make(map[string]*Accessory, len(found))
	for _, a := range found {
		byID[a.ID] = a
	}
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			return nil, NotFoundf("Attachment %q does not exist.", id)
		} else if a.CaseID != "" {
			return nil, Errorf(ECONFLICT, "Attachment %q is already attached.", id)
		}
	}
	return found, nil
}

func copyStringMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ListCases returns one page of the tickets the caller may see, and the
// total count. Deleted tickets are never listed.
func (s *Service) ListCases(ctx context.Context, p *Principal, groupID string, f CaseFilter) ([]*Case, int, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, 0, err
	}
	f.Scope = scope
	f.AllAccounts = false
	f.IncludeDeleted = false
	return s.findCases(ctx, f)
}

// validateSearch refuses search terms holding a NUL character: no text
// can contain one (PostgreSQL refuses them), and SQLite's LIKE would cut
// the pattern at it and match every ticket. Other characters, the LIKE
// wildcards and the escape character included, are matched literally.
func validateSearch(f CaseFilter) error {
	for _, key := range f.SearchKeys {
		if strings.ContainsRune(key, 0) {
			return Invalidf("search_key", "search_key must not contain NUL characters.")
		}
	}
	if strings.ContainsRune(f.AppKey, 0) {
		return Invalidf("app_key", "app_key must not contain NUL characters.")
	}
	return nil
}

// findCases returns one page of the tickets f selects, and the total count.
func (s *Service) findCases(ctx context.Context, f CaseFilter) ([]*Case, int, error) {
	if err := validateSearch(f); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Offset, f.Limit, err = normalizePage(f.Offset, f.Limit, 100); err != nil {
		return nil, 0, err
	}
	var cases []*Case
	var total int
	err = s.Store.Read(ctx, func(tx Tx) error {
		var err error
		if cases, total, err = tx.FindCases(ctx, f); err != nil {
			return fmt.Errorf("find cases: %w", err)
		}
		return nil
	})
	return cases, total, err
}

// GetCase returns a ticket the caller may see, with its whole conversation.
func (s *Service) GetCase(ctx context.Context, p *Principal, groupID, id string) (*CaseDetail, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	return s.readCaseDetail(ctx, func(tx Tx) (*Case, error) { return tx.FindCase(ctx, scope, id) })
}

// readCaseDetail reads the ticket find returns with its whole conversation,
// in one transaction.
func (s *Service) readCaseDetail(ctx context.Context, find func(tx Tx) (*Case, error)) (*CaseDetail, error) {
	var d CaseDetail
	err := s.Store.Read(ctx, func(tx Tx) error {
		c, err := find(tx)
		if err != nil {
			return err
		}
		d.Case = c
		d.Messages, err = allMessages(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// allMessages reads the whole conversation of a ticket, page by page.
func allMessages(ctx context.Context, tx Tx, c *Case) ([]*Message, error) {
	var all []*Message
	for {
		page, total, err := tx.FindMessages(ctx, MessageFilter{
			AccountID: c.AccountID, CaseID: c.ID, Offset: len(all), Limit: maxMessagePage,
		})
		if err != nil {
			return nil, fmt.Errorf("find messages: %w", err)
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, nil
		}
	}
}

// CaseAction applies a customer action to a ticket: cancel and close end
// it (and with it every open authorization on it), press urges the engineer
// (rate-limited), and delete hides a ticket that has already ended.
func (s *Service) CaseAction(ctx context.Context, p *Principal, groupID, id string, in CaseActionInput) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	switch in.Action {
	case CaseActionCancel, CaseActionClose, CaseActionPress, CaseActionDelete:
	default:
		return Invalidf("action_id", "The operation must be canceled or closed or pressed or deleted.").WithReason(ReasonBadCaseAction)
	}
	if err := checkLen("judgement", in.Judgement, maxJudgementLen); err != nil {
		return err
	} else if err := checkLen("operate_desc", in.OperateDesc, maxJudgementLen); err != nil {
		return err
	}

	return s.Store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		switch in.Action {
		case CaseActionCancel, CaseActionClose:
			if !CaseIsOpen(c.Status) {
				return Errorf(ECONFLICT, "The case has already ended (status %d).", c.Status)
			}
			c.Status = CaseStatusCompleted
			if in.Action == CaseActionCancel {
				c.Status = CaseStatusCancelled
			}
			if in.Judgement != "" {
				c.Judgement = in.Judgement
			}
			c.ConfirmedAt = &now
		case CaseActionPress:
			if !CaseIsOpen(c.Status) {
				return Errorf(ECONFLICT, "The case has already ended (status %d).", c.Status)
			}
			if c.LastUrgedAt != nil && now.Sub(*c.LastUrgedAt) < s.Config.UrgeInterval {
				return Errorf(ELIMIT, "You have asked for the order. Please ask for it later.").WithReason(ReasonUrgeTooSoon)
			}
			c.LastUrgedAt = &now
		case CaseActionDelete:
			if CaseIsOpen(c.Status) {
				return Errorf(ECONFLICT, "Only a completed or cancelled case can be deleted.")
			}
			c.Status = CaseStatusDeleted
		}
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		if !CaseIsOpen(c.Status) {
			actor := AuditEvent{ActorRealm: RealmCustomer, ActorID: p.UserID, ActorName: p.UserName}
			if err := s.endOpenAuthorizations(ctx, tx, c, actor, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// endOpenAuthorizations ends the authorizations of a ticket that reached a
// final status: pending requests are withdrawn, grants are cancelled (or
// recorded as expired if their window already ended), and credentials are
// destroyed.
func (s *Service) endOpenAuthorizations(ctx context.Context, tx Tx, c *Case, actor AuditEvent, now time.Time) error {
	open, err := tx.FindOpenAuthorizationsOfCase(ctx, c.AccountID, c.ID)
	if err != nil {
		return fmt.Errorf("find open authorizations: %w", err)
	}
	for _, a := range open {
		to := AuthStatusCancelled
		switch a.StatusAt(now) {
		case AuthStatusPending:
			to = AuthStatusWithdrawn
		case AuthStatusExpired:
			to = AuthStatusExpired
		}
		if err := s.endAuthorization(ctx, tx, a, to, actor, now, fmt.Sprintf("case %s ended (status %d)", c.ID, c.Status)); err != nil {
			return err
		}
	}
	return nil
}

// newMessage returns a new message of p on the ticket c; typ says which
// side p is on.
func newMessage(c *Case, typ int, p *Principal, content string, now time.Time) *Message {
	return &Message{
		ID:         NewMessageID(),
		AccountID:  c.AccountID,
		CaseID:     c.ID,
		Type:       typ,
		AuthorID:   p.UserID,
		AuthorName: p.UserName,
		Content:    content,
		CreatedAt:  now,
	}
}

// CreateMessage adds a customer message, with attachments, to an open
// ticket. A reply to a ticket waiting for the customer puts it back into
// processing.
func (s *Service) CreateMessage(ctx context.Context, p *Principal, groupID, caseID, content string, accessoryIDs []string) (*Message, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(content) == "" && len(accessoryIDs) == 0 {
		return nil, Invalidf("content", "The message is empty.")
	} else if err := checkLen("content", content, maxMessageLen); err != nil {
		return nil, err
	} else if err := s.checkAccessoryCount(accessoryIDs); err != nil {
		return nil, err
	}

	var m *Message
	err = s.Store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		if !CaseIsOpen(c.Status) {
			return Errorf(ECONFLICT, "The case has already ended (status %d).", c.Status)
		}
		accessories, err := attachableAccessories(ctx, tx, scope, accessoryIDs)
		if err != nil {
			return err
		}
		now := s.nowMS()
		m = newMessage(c, MessageFromCustomer, p, content, now)
		for _, a := range accessories {
			m.Accessories = append(m.Accessories, AccessoryRef{ID: a.ID, FileName: a.FileName})
		}
		if err := tx.CreateMessage(ctx, m); err != nil {
			return fmt.Errorf("create message: %w", err)
		}
		if len(accessoryIDs) > 0 {
			if err := tx.AttachAccessories(ctx, c.AccountID, accessoryIDs, c.ID, m.ID); err != nil {
				return fmt.Errorf("attach accessories: %w", err)
			}
		}
		if c.Status == CaseStatusPendingFeedback || c.Status == CaseStatusPendingConfirm {
			c.Status = CaseStatusProcessing
		}
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ListMessages returns one page of a ticket's conversation, oldest first,
// and the total count.
func (s *Service) ListMessages(ctx context.Context, p *Principal, groupID, caseID string, offset, limit int) ([]*Message, int, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, 0, err
	}
	if offset, limit, err = normalizePage(offset, limit, maxMessagePage); err != nil {
		return nil, 0, err
	}
	var msgs []*Message
	var total int
	err = s.Store.Read(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		msgs, total, err = tx.FindMessages(ctx, MessageFilter{AccountID: c.AccountID, CaseID: c.ID, Offset: offset, Limit: limit})
		if err != nil {
			return fmt.Errorf("find messages: %w", err)
		}
		return nil
	})
	return msgs, total, err
}

// requireEngineer refuses callers that are not support engineers.
func requireEngineer(p *Principal) error {
	if p == nil || p.Realm != RealmEngineer || p.UserID == "" {
		return Errorf(EFORBIDDEN, engineerOnlyMessage).WithReason(ReasonNoPermission)
	}
	return nil
}

// findEngineerCase returns a ticket for an engineer: any account's, but
// never a deleted one.
func findEngineerCase(ctx context.Context, tx Tx, id string) (*Case, error) {
	c, err := tx.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status == CaseStatusDeleted {
		return nil, NotFoundf(caseNotFoundMessage).WithReason(ReasonCaseNotFound)
	}
	return c, nil
}

// claimEngineerCase finds the ticket id for the engineer p and makes sure
// they handle it: an unassigned open ticket is assigned to them (and leaves
// "pending acceptance"), one assigned to another engineer or already ended
// is refused. The caller saves the ticket.
func claimEngineerCase(ctx context.Context, tx Tx, p *Principal, id string) (*Case, error) {
	c, err := findEngineerCase(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !CaseIsOpen(c.Status) {
		return nil, Errorf(ECONFLICT, "The case has already ended (status %d).", c.Status)
	}
	if c.AssigneeID != "" && c.AssigneeID != p.UserID {
		return nil, Errorf(ECONFLICT, caseTakenByOtherText)
	}
	c.AssigneeID, c.AssigneeName = p.UserID, p.UserName
	if c.Status == CaseStatusPendingAcceptance {
		c.Status = CaseStatusProcessing
	}
	return c, nil
}

// Queue returns one page of the tickets of every account, for engineers.
func (s *Service) Queue(ctx context.Context, p *Principal, f CaseFilter) ([]*Case, int, error) {
	if err := requireEngineer(p); err != nil {
		return nil, 0, err
	}
	f.AllAccounts = true
	f.Scope = Scope{}
	return s.findCases(ctx, f)
}

// EngineerCase returns any account's ticket with its conversation.
func (s *Service) EngineerCase(ctx context.Context, p *Principal, id string) (*CaseDetail, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	return s.readCaseDetail(ctx, func(tx Tx) (*Case, error) { return findEngineerCase(ctx, tx, id) })
}

// TakeCase assigns an open ticket to the calling engineer. Taking a ticket
// one already holds is a no-op; one held by another engineer is refused.
func (s *Service) TakeCase(ctx context.Context, p *Principal, id string) (*Case, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	var c *Case
	err := s.Store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = claimEngineerCase(ctx, tx, p, id); err != nil {
			return err
		}
		c.UpdatedAt = s.nowMS()
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SetCaseStatus moves an open ticket the engineer handles to processing
// (1), pending customer confirmation (2) or pending customer feedback (17).
// Only customers end tickets.
func (s *Service) SetCaseStatus(ctx context.Context, p *Principal, id string, status int) (*Case, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	switch status {
	case CaseStatusProcessing, CaseStatusPendingConfirm, CaseStatusPendingFeedback:
	default:
		return nil, Invalidf("status", "Engineers can set the status to 1, 2 or 17, not %d.", status)
	}
	var c *Case
	err := s.Store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = claimEngineerCase(ctx, tx, p, id); err != nil {
			return err
		}
		c.Status = status
		c.UpdatedAt = s.nowMS()
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reply adds an engineer's message to an open ticket, taking the ticket if
// nobody handles it yet.
func (s *Service) Reply(ctx context.Context, p *Principal, caseID, content string) (*Message, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	if strings.TrimSpace(content) == "" {
		return nil, Invalidf("content", "The message is empty.")
	} else if err := checkLen("content", content, maxMessageLen); err != nil {
		return nil, err
	}
	var m *Message
	err := s.Store.Write(ctx, func(tx Tx) error {
		c, err := claimEngineerCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		now := s.nowMS()
		m = newMessage(c, MessageFromEngineer, p, content, now)
		if err := tx.CreateMessage(ctx, m); err != nil {
			return fmt.Errorf("create message: %w", err)
		}
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
