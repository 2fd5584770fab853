package casebook

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	engineerOnlyMessage  = "Only support engineers can do this."
	caseNotFoundMessage  = "This case does not exist."
	caseTakenByOtherText = "The case is handled by another engineer."
)

// Validate checks a ticket submission against the documented limits. It
// does not touch the store; CreateCase then checks the ids against the
// dictionaries (checkIDs).
func (in *CaseInput) Validate() error {
	if in.BusinessTypeID == "" {
		return Invalidf("business_type_id", "business_type_id is required.")
	} else if err := checkLen("business_type_id", in.BusinessTypeID, MaxBusinessTypeIDLength); err != nil {
		return err
	}
	if strings.TrimSpace(in.SimpleDescription) == "" {
		return Invalidf("simple_description", "simple_description is required.")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"simple_description", in.SimpleDescription, MaxDescriptionLength},
		{"incident_sub_type_id", in.IncidentSubTypeID, MaxIncidentSubTypeIDLength},
		{"product_category_id", in.ProductCategoryID, MaxProductCategoryIDLength},
		{"region_id", in.RegionID, MaxRegionIDLength},
		{"project_id", in.ProjectID, MaxProjectIDLength},
		{"severity_id", in.SeverityID, MaxSeverityIDLength},
		{"source_id", in.SourceID, MaxSourceIDLength},
		{"remind_mobile", in.RemindMobile, MaxRemindMobileLength},
		{"remind_mail", in.RemindMail, MaxRemindMailLength},
		{"remind_time", in.RemindTime, MaxRemindTimeLength},
		{"area_code", in.AreaCode, MaxAreaCodeLength},
	} {
		if err := checkLen(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return checkExtends(in.ExtendsMap)
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
	if err := s.checkAccessoryIDs(in.AccessoryIDs, MaxAccessoryIDLength); err != nil {
		return nil, err
	}
	dict, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.checkIDs(dict); err != nil {
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

	err = s.store.Write(ctx, func(tx Tx) error {
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
		logCase(tx, CaseEventCreated, customerActor(p), c.AccountID, c.ID, "")
		logAttachments(tx, customerActor(p), c, accessories)
		if len(accessories) > 0 {
			if err := tx.AttachAccessories(ctx, p.AccountID, in.AccessoryIDs, c.ID, first.ID); err != nil {
				return fmt.Errorf("attach accessories: %w", err)
			}
		}
		if err := s.emit(ctx, tx, EventCaseCreated, c, nil, customerActor(p), "message_id", first.ID, "accessory_count", strconv.Itoa(len(accessories))); err != nil {
			return err
		}
		if err := s.emitAccessoriesAdded(ctx, tx, c, first.ID, accessories, customerActor(p)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkAccessoryIDs applies the per-submission attachment limit and the
// id length, and refuses duplicate ids.
func (s *Service) checkAccessoryIDs(ids []string, maxIDLen int) error {
	if len(ids) > s.Config.AccessoryMaxCount {
		return Invalidf("accessory_ids", "At most %d attachments are allowed.", s.Config.AccessoryMaxCount)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if err := CheckLength("accessory_ids", id, 1, maxIDLen); err != nil {
			return err
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
	return s.findLabelledCases(ctx, p.UserID, f)
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
	if f.Offset, f.Limit, err = normalizePage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var cases []*Case
	var total int
	err = s.store.Read(ctx, func(tx Tx) error {
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
	err := s.store.Read(ctx, func(tx Tx) error {
		c, err := find(tx)
		if err != nil {
			return err
		}
		d.Case = c
		if d.Messages, err = allMessages(ctx, tx, c); err != nil {
			return err
		}
		d.Scores, err = findScores(ctx, tx, c)
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
			AccountID: c.AccountID, CaseID: c.ID, Offset: len(all), Limit: MaxPageLimit,
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
	if err := checkLen("action_id", in.Action, MaxActionIDLength); err != nil {
		return err
	}
	switch in.Action {
	case CaseActionCancel, CaseActionClose, CaseActionPress, CaseActionDelete:
	default:
		return Invalidf("action_id", "The operation must be canceled or closed or pressed or deleted.").WithReason(ReasonBadCaseAction)
	}
	if err := checkLen("judgement", in.Judgement, MaxJudgementLength); err != nil {
		return err
	} else if err := checkLen("operate_desc", in.OperateDesc, MaxJudgementLength); err != nil {
		return err
	}
	// Scores come only with close, where they are stored once.
	var scores []Score
	if len(in.Scores) > 0 {
		if in.Action != CaseActionClose {
			return Invalidf("incident_satisfaction_list", "Satisfaction scores are only taken with close.")
		}
		d, err := s.Dictionaries(ctx)
		if err != nil {
			return err
		}
		if scores, err = checkScores(d, in.Scores); err != nil {
			return err
		}
	}

	return s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		fromStatus := c.Status
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
			if err := s.emit(ctx, tx, EventCaseUrged, c, nil, customerActor(p)); err != nil {
				return err
			}
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
		if len(scores) > 0 {
			if err := tx.CreateScores(ctx, c.AccountID, c.ID, scores, now); err != nil {
				return err
			}
			logCase(tx, CaseEventEvaluated, customerActor(p), c.AccountID, c.ID, "")
		}
		logCase(tx, caseActionEvents[in.Action], customerActor(p), c.AccountID, c.ID, in.OperateDesc)
		if err := s.emitStatusChange(ctx, tx, c, fromStatus, customerActor(p)); err != nil {
			return err
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
	} else if err := checkLen("content", content, MaxMessageLength); err != nil {
		return nil, err
	} else if err := CheckCount("accessory_ids", len(accessoryIDs), 0, MaxMessageAccessories); err != nil {
		return nil, err
	} else if err := s.checkAccessoryIDs(accessoryIDs, MaxMessageAccessoryIDLen); err != nil {
		return nil, err
	}

	var m *Message
	err = s.store.Write(ctx, func(tx Tx) error {
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
		logCase(tx, CaseEventMessage, customerActor(p), c.AccountID, c.ID, m.ID)
		logAttachments(tx, customerActor(p), c, accessories)
		if len(accessoryIDs) > 0 {
			if err := tx.AttachAccessories(ctx, c.AccountID, accessoryIDs, c.ID, m.ID); err != nil {
				return fmt.Errorf("attach accessories: %w", err)
			}
		}
		if err := s.emitAccessoriesAdded(ctx, tx, c, m.ID, accessories, customerActor(p)); err != nil {
			return err
		}
		fromStatus := c.Status
		if c.Status == CaseStatusPendingFeedback || c.Status == CaseStatusPendingConfirm {
			logCase(tx, CaseEventStatusChanged, customerActor(p), c.AccountID, c.ID, statusChange(c.Status, CaseStatusProcessing))
			c.Status = CaseStatusProcessing
		}
		if err := s.emit(ctx, tx, EventMessageAdded, c, nil, customerActor(p), "message_id", m.ID, "accessory_count", strconv.Itoa(len(accessories))); err != nil {
			return err
		}
		if err := s.emitStatusChange(ctx, tx, c, fromStatus, customerActor(p)); err != nil {
			return err
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
	if offset, limit, err = normalizePage(offset, limit); err != nil {
		return nil, 0, err
	}
	var msgs []*Message
	var total int
	err = s.store.Read(ctx, func(tx Tx) error {
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
func (s *Service) claimEngineerCase(ctx context.Context, tx Tx, p *Principal, id string) (*Case, error) {
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
		logCase(tx, CaseEventStatusChanged, engineerActor(p), c.AccountID, c.ID, statusChange(c.Status, CaseStatusProcessing))
		c.Status = CaseStatusProcessing
		if err := s.emitStatusChange(ctx, tx, c, CaseStatusPendingAcceptance, engineerActor(p)); err != nil {
			return nil, err
		}
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
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = s.claimEngineerCase(ctx, tx, p, id); err != nil {
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
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = s.claimEngineerCase(ctx, tx, p, id); err != nil {
			return err
		}
		logCase(tx, CaseEventStatusChanged, engineerActor(p), c.AccountID, c.ID, statusChange(c.Status, status))
		fromStatus := c.Status
		c.Status = status
		if err := s.emitStatusChange(ctx, tx, c, fromStatus, engineerActor(p)); err != nil {
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

// Reply adds an engineer's message to an open ticket, taking the ticket if
// nobody handles it yet.
func (s *Service) Reply(ctx context.Context, p *Principal, caseID, content string) (*Message, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	if strings.TrimSpace(content) == "" {
		return nil, Invalidf("content", "The message content is empty.")
	} else if err := checkLen("content", content, MaxMessageLength); err != nil {
		return nil, err
	}
	var m *Message
	err := s.store.Write(ctx, func(tx Tx) error {
		c, err := s.claimEngineerCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		now := s.nowMS()
		m = newMessage(c, MessageFromEngineer, p, content, now)
		if err := tx.CreateMessage(ctx, m); err != nil {
			return fmt.Errorf("create message: %w", err)
		}
		logCase(tx, CaseEventMessage, engineerActor(p), c.AccountID, c.ID, m.ID)
		if err := s.emit(ctx, tx, EventMessageAdded, c, nil, engineerActor(p), "message_id", m.ID); err != nil {
			return err
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
