package casebook

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	expireBatchSize = 100 // authorizations expired per transaction

	// The sweeper's identity in the audit log.
	systemActorID    = "system"
	systemActorName  = "expiry sweeper"
	actorRealmSystem = Realm("system")
)

// credentialAD is the associated data a credential is sealed with: it binds
// the ciphertext to its authorization and detail item, so a sealed value
// copied to another row does not open.
func credentialAD(authorizationID string, detailID int64) []byte {
	return []byte(authorizationID + "/" + strconv.FormatInt(detailID, 10))
}

// withEffectiveStatus makes Status what callers must see at now: a grant
// whose window has ended reads as expired before the sweeper records it.
func withEffectiveStatus(a *Authorization, now time.Time) *Authorization {
	a.Status = a.StatusAt(now)
	return a
}

// appendAudit appends one event to the audit log.
func appendAudit(ctx context.Context, tx Tx, actor AuditEvent, action string, a *Authorization, now time.Time, detail string) error {
	e := &AuditEvent{
		At:              now,
		ActorRealm:      actor.ActorRealm,
		ActorID:         actor.ActorID,
		ActorName:       actor.ActorName,
		Action:          action,
		AccountID:       a.AccountID,
		CaseID:          a.CaseID,
		AuthorizationID: a.ID,
		Detail:          detail,
	}
	if err := tx.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

func customerActor(p *Principal) AuditEvent {
	return AuditEvent{ActorRealm: RealmCustomer, ActorID: p.UserID, ActorName: p.UserName}
}

func engineerActor(p *Principal) AuditEvent {
	return AuditEvent{ActorRealm: RealmEngineer, ActorID: p.UserID, ActorName: p.UserName}
}

// endAuthorization moves a pending or authorized authorization to the final
// status to, destroys its credentials and records both in the audit log, all
// in tx. Every path that ends an authorization goes through here.
func (s *Service) endAuthorization(ctx context.Context, tx Tx, a *Authorization, to int, actor AuditEvent, now time.Time, why string) error {
	from := a.Status
	a.Status = to
	a.UpdatedAt = now
	for i := range a.Details {
		a.Details[i].HasCredential = false // as read once DestroyCredentials is done
	}
	if err := tx.UpdateAuthorization(ctx, a, from); err != nil {
		return fmt.Errorf("update authorization: %w", err)
	}
	n, err := tx.DestroyCredentials(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("destroy credentials: %w", err)
	}
	detail := fmt.Sprintf("status %d -> %d: %s", from, to, why)
	logCase(tx, authEndEvent(to), actor, a.AccountID, a.CaseID, a.ID)
	if err := appendAudit(ctx, tx, actor, AuditGrantEnded, a, now, detail); err != nil {
		return err
	}
	if err := s.emit(ctx, tx, authorizationEndEvents[to], nil, a, actor, "from_status", strconv.Itoa(from), "to_status", strconv.Itoa(to)); err != nil {
		return err
	}
	if n > 0 {
		if err := appendAudit(ctx, tx, actor, AuditCredentialDestroyed, a, now, fmt.Sprintf("%d credentials destroyed", n)); err != nil {
			return err
		}
	}
	return nil
}

// ListAuthorizations returns one page of the authorizations on tickets the
// caller may see, with their effective status, and the total count.
func (s *Service) ListAuthorizations(ctx context.Context, p *Principal, groupID string, f AuthorizationFilter) ([]*Authorization, int, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, 0, err
	}
	f.Scope = scope
	f.AllAccounts = false
	f.EngineerID = ""
	return s.findAuthorizations(ctx, f)
}

func (s *Service) findAuthorizations(ctx context.Context, f AuthorizationFilter) ([]*Authorization, int, error) {
	var err error
	if f.Offset, f.Limit, err = normalizePage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	f.Now = s.nowMS()
	var list []*Authorization
	var total int
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		if list, total, err = tx.FindAuthorizations(ctx, f); err != nil {
			return fmt.Errorf("find authorizations: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	for _, a := range list {
		withEffectiveStatus(a, f.Now)
	}
	return list, total, nil
}

// GetAuthorization returns one authorization on a ticket the caller may
// see, with its effective status.
func (s *Service) GetAuthorization(ctx context.Context, p *Principal, groupID, id string) (*Authorization, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	var a *Authorization
	err = s.store.ReadOne(ctx, func(tx Tx) error {
		a, err = tx.FindAuthorization(ctx, scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return withEffectiveStatus(a, s.nowMS()), nil
}

// grantWindow checks the requested window of a grant at now and returns it,
// with a start in the past moved to now.
func (s *Service) grantWindow(in ConfirmInput, now time.Time) (start, end time.Time, err error) {
	if in.EffectiveAt == nil {
		return start, end, Invalidf("auth_effective_time", "auth_effective_time is required.")
	} else if in.ExpireAt == nil {
		return start, end, Invalidf("auth_expire_time", "auth_expire_time is required.")
	}
	start = in.EffectiveAt.UTC().Truncate(time.Millisecond)
	end = in.ExpireAt.UTC().Truncate(time.Millisecond)
	if !start.Before(end) {
		return start, end, Invalidf("auth_expire_time", "auth_expire_time must be after auth_effective_time.")
	} else if !end.After(now) {
		return start, end, Invalidf("auth_expire_time", "auth_expire_time must be in the future.")
	} else if start.After(now.Add(s.Config.MaxGrantStartDelay)) {
		return start, end, Invalidf("auth_effective_time", "auth_effective_time must be within %s from now.", s.Config.MaxGrantStartDelay)
	}
	if start.Before(now) {
		start = now
	}
	if end.Sub(start) > s.Config.MaxGrantDuration {
		return start, end, Invalidf("auth_expire_time", "A grant can last at most %s.", s.Config.MaxGrantDuration)
	}
	return start, end, nil
}

// Validate checks a confirmation against the documented limits; whether
// its items name details of the authorization is checked with the
// authorization (checkCredentials). A port of 0 keeps the detail's port.
func (in *ConfirmInput) Validate() error {
	if err := CheckCount("auth_detail_list", len(in.Credentials), 0, MaxConfirmDetails); err != nil {
		return err
	} else if err := checkLen("agency_id", in.AgencyID, MaxAgencyIDLength); err != nil {
		return err
	}
	for _, c := range in.Credentials {
		if err := CheckRange("port", int64(c.Port), 0, MaxPort); err != nil {
			return err
		} else if err := checkLen("account", c.Account, MaxDetailFieldLength); err != nil {
			return err
		} else if err := checkLen("password", c.Password, MaxCredentialPassword); err != nil {
			return err
		}
	}
	return nil
}

// checkCredentials checks the customer's credentials against the details
// of a and reports whether any of them carries a password.
func checkCredentials(a *Authorization, creds []Credential) (hasPassword bool, err error) {
	details := make(map[int64]bool, len(a.Details))
	for _, d := range a.Details {
		details[d.ID] = true
	}
	seen := make(map[int64]bool, len(creds))
	for _, c := range creds {
		switch {
		case !details[c.DetailID]:
			return false, Invalidf("auth_detail_id", "auth_detail_id %d is not a detail of this authorization.", c.DetailID)
		case seen[c.DetailID]:
			return false, Invalidf("auth_detail_id", "auth_detail_id %d is given twice.", c.DetailID)
		}
		seen[c.DetailID] = true
		if c.Password != "" {
			hasPassword = true
		}
	}
	return hasPassword, nil
}

// ConfirmAuthorization grants a pending authorization for a window, with
// credentials per detail item (sealed before they reach the store), an IAM
// agency, or both.
//
// The request is read, checked and its credentials sealed before the
// writer is taken, so that the one writer (SQLite's) spends its time on the
// changes alone; the update inside moves the authorization only from
// pending, so one that was confirmed, rejected or ended meanwhile is
// refused as if it had been read inside (docs/benchmarks.md, issue 14).
// A pending authorization changes only by leaving pending, which makes its
// status the whole of the check.
func (s *Service) ConfirmAuthorization(ctx context.Context, p *Principal, groupID, id string, in ConfirmInput) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	var a *Authorization
	err = s.store.ReadOne(ctx, func(tx Tx) error {
		a, err = tx.FindAuthorization(ctx, scope, id)
		return err
	})
	if err != nil {
		return err
	}
	now := s.nowMS()
	if err := pendingAt(a, now); err != nil {
		return err
	}
	start, end, err := s.grantWindow(in, now)
	if err != nil {
		return err
	}
	hasPassword, err := checkCredentials(a, in.Credentials)
	if err != nil {
		return err
	}
	if !hasPassword && in.AgencyID == "" {
		return Invalidf("auth_detail_list", "Give a password for at least one item, or an agency.")
	}

	var sealed []Credential
	byDetail := make(map[int64]Credential, len(in.Credentials))
	for _, c := range in.Credentials {
		byDetail[c.DetailID] = c
		if c.Password == "" {
			continue
		}
		ct, err := s.Sealer.Seal([]byte(c.Password), credentialAD(a.ID, c.DetailID))
		if err != nil {
			return fmt.Errorf("seal credential: %w", err)
		}
		sealed = append(sealed, Credential{DetailID: c.DetailID, Port: c.Port, Account: c.Account, Sealed: ct})
	}
	// The items whose port or account the customer changed; whether an
	// item has a credential follows from SetCredentials.
	var changed []AuthDetail
	for i := range a.Details {
		d := &a.Details[i]
		c, ok := byDetail[d.ID]
		if !ok {
			continue
		}
		before := *d
		if c.Port != 0 {
			d.Port = c.Port
		}
		if c.Account != "" {
			d.Account = c.Account
		}
		d.HasCredential = c.Password != ""
		if d.Port != before.Port || d.Account != before.Account {
			changed = append(changed, *d)
		}
	}
	a.Status = AuthStatusAuthorized
	a.HandlerID, a.HandlerName = p.UserID, p.UserName
	a.AgencyID, a.AgencyName = in.AgencyID, in.AgencyID
	a.EffectiveAt, a.ExpireAt = &start, &end
	a.UpdatedAt = now
	detail := fmt.Sprintf("window %s..%s; %d credentials", start.Format(time.RFC3339), end.Format(time.RFC3339), len(sealed))
	if in.AgencyID != "" {
		detail += "; agency " + in.AgencyID
	}

	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.UpdateAuthorization(ctx, a, AuthStatusPending); ErrorCode(err) == ENOTFOUND {
			// Ended or gone since it was read: say which, as read now.
			cur, err := tx.FindAuthorization(ctx, scope, id)
			if err != nil {
				return err
			}
			if err := pendingAt(cur, now); err != nil {
				return err
			}
			// Nothing returns to pending: never report a confirmation
			// that was not stored.
			return fmt.Errorf("authorization %s is pending but was not updated", id)
		} else if err != nil {
			return fmt.Errorf("update authorization: %w", err)
		}
		for _, d := range changed {
			if err := tx.UpdateAuthDetail(ctx, d); err != nil {
				return fmt.Errorf("update authorization detail: %w", err)
			}
		}
		if len(sealed) > 0 {
			if err := tx.SetCredentials(ctx, a.ID, sealed); err != nil {
				return fmt.Errorf("set credentials: %w", err)
			}
		}
		if err := s.emit(ctx, tx, EventAuthorizationConfirmed, nil, a, customerActor(p), "engineer_id", a.EngineerID,
			"effective_at", start.Format(time.RFC3339), "expire_at", end.Format(time.RFC3339)); err != nil {
			return err
		}
		logCase(tx, CaseEventAuthConfirmed, customerActor(p), a.AccountID, a.CaseID, a.ID)
		return appendAudit(ctx, tx, customerActor(p), AuditGrantConfirmed, a, now, detail)
	})
}

// pendingAt refuses an authorization that is not pending at now.
func pendingAt(a *Authorization, now time.Time) error {
	if st := a.StatusAt(now); st != AuthStatusPending {
		return Errorf(ECONFLICT, "Only a pending authorization can be confirmed (status %d).", st)
	}
	return nil
}

// RejectAuthorization refuses a pending authorization, with a reason.
func (s *Service) RejectAuthorization(ctx context.Context, p *Principal, groupID, id, reason string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return Invalidf("reject_reason", "reject_reason is required.")
	} else if err := checkLen("reject_reason", reason, MaxRejectReasonLength); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := tx.FindAuthorization(ctx, scope, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		if st := a.StatusAt(now); st != AuthStatusPending {
			return Errorf(ECONFLICT, "Only a pending authorization can be rejected (status %d).", st)
		}
		a.RejectReason = reason
		a.HandlerID, a.HandlerName = p.UserID, p.UserName
		return s.endAuthorization(ctx, tx, a, AuthStatusRejected, customerActor(p), now, "rejected by the customer")
	})
}

// CancelAuthorization revokes a pending or authorized authorization; its
// credentials are destroyed at once.
func (s *Service) CancelAuthorization(ctx context.Context, p *Principal, groupID, id string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := tx.FindAuthorization(ctx, scope, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		if st := a.StatusAt(now); st != AuthStatusPending && st != AuthStatusAuthorized {
			return Errorf(ECONFLICT, "The authorization has already ended (status %d).", st)
		}
		a.HandlerID, a.HandlerName = p.UserID, p.UserName
		return s.endAuthorization(ctx, tx, a, AuthStatusCancelled, customerActor(p), now, "cancelled by the customer")
	})
}

// Validate checks an engineer's authorization request against the
// dictionaries and the documented limits.
func (in *AuthorizationRequest) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"resource_type_id", in.ResourceTypeID}, {"visit_type_id", in.VisitTypeID}, {"content_type_id", in.ContentTypeID},
	} {
		if err := checkLen(f.name, f.value, MaxDictIDLength); err != nil {
			return err
		}
	}
	if !DictHas(DictResourceType, in.ResourceTypeID) {
		return Invalidf("resource_type_id", "Unknown resource_type_id %q.", in.ResourceTypeID)
	} else if !DictHas(DictVisitType, in.VisitTypeID) {
		return Invalidf("visit_type_id", "Unknown visit_type_id %q.", in.VisitTypeID)
	} else if in.ContentTypeID != "" && !DictHas(DictContentType, in.ContentTypeID) {
		return Invalidf("content_type_id", "Unknown content_type_id %q.", in.ContentTypeID)
	}
	if strings.TrimSpace(in.Describe) == "" {
		return Invalidf("auth_describe", "auth_describe is required.")
	} else if err := checkLen("auth_describe", in.Describe, MaxAuthDescribeLength); err != nil {
		return err
	}
	if err := CheckCount("details", len(in.Details), 1, MaxAuthDetails); err != nil {
		return err
	}
	for _, d := range in.Details {
		if d.Type != AuthDetailConsole && d.Type != AuthDetailHost {
			return Invalidf("type", "The type must be 0 or 1.")
		} else if err := CheckRange("port", int64(d.Port), 0, MaxPort); err != nil {
			return err
		}
		for _, f := range []struct{ name, value string }{
			{"instance_id", d.InstanceID}, {"instance_name", d.InstanceName},
			{"region_id", d.RegionID}, {"account", d.Account},
		} {
			if err := checkLen(f.name, f.value, MaxDetailFieldLength); err != nil {
				return err
			}
		}
	}
	return nil
}

// RequestAuthorization records an engineer's request for access on an open
// ticket they handle (an unassigned ticket is assigned to them).
func (s *Service) RequestAuthorization(ctx context.Context, p *Principal, caseID string, in AuthorizationRequest) (*Authorization, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var a *Authorization
	err := s.store.Write(ctx, func(tx Tx) error {
		c, err := s.claimEngineerCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		now := s.nowMS()
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		a = &Authorization{
			ID:              NewAuthorizationID(now),
			AccountID:       c.AccountID,
			CaseID:          c.ID,
			Status:          AuthStatusPending,
			ResourceTypeID:  in.ResourceTypeID,
			VisitTypeID:     in.VisitTypeID,
			ContentTypeID:   in.ContentTypeID,
			Describe:        in.Describe,
			EngineerID:      p.UserID,
			EngineerName:    p.UserName,
			CreatedAt:       now,
			UpdatedAt:       now,
			CaseDescription: c.SimpleDescription,
			CaseCreatorID:   c.CreatorID,
			CaseCreatorName: c.CreatorName,
		}
		for _, d := range in.Details {
			a.Details = append(a.Details, AuthDetail{
				Type:         d.Type,
				InstanceID:   d.InstanceID,
				InstanceName: d.InstanceName,
				RegionID:     d.RegionID,
				Port:         d.Port,
				Account:      d.Account,
			})
		}
		if err := tx.CreateAuthorization(ctx, a); err != nil {
			return fmt.Errorf("create authorization: %w", err)
		}
		logCase(tx, CaseEventAuthRequested, engineerActor(p), a.AccountID, a.CaseID, a.ID)
		if err := s.emit(ctx, tx, EventAuthorizationRequested, nil, a, engineerActor(p), "engineer_id", a.EngineerID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// findOwnAuthorization returns an authorization the engineer p requested.
// Another engineer's request is refused without saying more.
func findOwnAuthorization(ctx context.Context, tx Tx, p *Principal, id string) (*Authorization, error) {
	a, err := tx.FindAuthorizationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.EngineerID != p.UserID {
		return nil, Errorf(EFORBIDDEN, "Only the engineer who requested this authorization can do this.").WithReason(ReasonNoPermission)
	}
	return a, nil
}

// WithdrawAuthorization lets the requesting engineer take back a pending
// request or end a grant early; credentials are destroyed at once.
func (s *Service) WithdrawAuthorization(ctx context.Context, p *Principal, id string) error {
	if err := requireEngineer(p); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := findOwnAuthorization(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		if st := a.StatusAt(now); st != AuthStatusPending && st != AuthStatusAuthorized {
			return Errorf(ECONFLICT, "The authorization has already ended (status %d).", st)
		}
		return s.endAuthorization(ctx, tx, a, AuthStatusWithdrawn, engineerActor(p), now, "withdrawn by the engineer")
	})
}

// EngineerAuthorizations returns one page of the authorizations of every
// account (metadata only, never credentials), with their effective status.
func (s *Service) EngineerAuthorizations(ctx context.Context, p *Principal, f AuthorizationFilter) ([]*Authorization, int, error) {
	if err := requireEngineer(p); err != nil {
		return nil, 0, err
	}
	f.AllAccounts = true
	f.Scope = Scope{}
	return s.findAuthorizations(ctx, f)
}

// EngineerAuthorization returns any authorization with its effective status.
func (s *Service) EngineerAuthorization(ctx context.Context, p *Principal, id string) (*Authorization, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	var a *Authorization
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		a, err = tx.FindAuthorizationByID(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return withEffectiveStatus(a, s.nowMS()), nil
}

// ReadCredentials opens the credentials of a grant for the engineer who
// requested it, only while the grant is in force. The read is recorded in
// the audit log in the same transaction: if the record cannot be written,
// no secret is returned.
func (s *Service) ReadCredentials(ctx context.Context, p *Principal, id string) ([]Credential, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	var out []Credential
	err := s.store.Write(ctx, func(tx Tx) error {
		out = nil // a retried transaction starts afresh
		a, err := findOwnAuthorization(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.nowMS()
		if !a.InForce(now) {
			return Errorf(ECONFLICT, "The authorization is not in force (status %d).", a.StatusAt(now))
		}
		creds, err := tx.FindCredentials(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("find credentials: %w", err)
		}
		ids := make([]string, 0, len(creds))
		for _, c := range creds {
			pw, err := s.Sealer.Open(c.Sealed, credentialAD(a.ID, c.DetailID))
			if err != nil {
				return fmt.Errorf("open credential of detail %d: %w", c.DetailID, err)
			}
			out = append(out, Credential{DetailID: c.DetailID, Port: c.Port, Account: c.Account, Password: string(pw)})
			ids = append(ids, strconv.FormatInt(c.DetailID, 10))
		}
		if err := s.emit(ctx, tx, EventAuthorizationCredsRead, nil, a, engineerActor(p), "engineer_id", p.UserID, "count", strconv.Itoa(len(out))); err != nil {
			return err
		}
		detail := fmt.Sprintf("%d credentials read (details %s)", len(out), strings.Join(ids, ","))
		logCase(tx, CaseEventCredentialsRead, engineerActor(p), a.AccountID, a.CaseID, a.ID)
		return appendAudit(ctx, tx, engineerActor(p), AuditCredentialRead, a, now, detail)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAudit returns the audit events that f selects, newest first, and
// checks nothing about who asks: operators (the CLI) see every event; the
// support API sets f.ActorID to the engineer asking, who sees only their
// own.
func (s *Service) FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var events []*AuditEvent
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if events, err = tx.FindAudit(ctx, f); err != nil {
			return fmt.Errorf("find audit: %w", err)
		}
		return nil
	})
	return events, err
}

// ExpireGrants records the expiry of every grant whose window has ended
// and destroys its credentials, in batches, and returns how many it
// expired. Replicas may run it at the same time: each batch locks its rows
// and skips those locked by another, so every grant expires exactly once.
func (s *Service) ExpireGrants(ctx context.Context) (int, error) {
	now := s.nowMS()
	actor := AuditEvent{ActorRealm: actorRealmSystem, ActorID: systemActorID, ActorName: systemActorName}
	total := 0
	for {
		n := 0
		err := s.store.Write(ctx, func(tx Tx) error {
			n = 0
			due, err := tx.FindDueAuthorizations(ctx, now, expireBatchSize)
			if err != nil {
				return fmt.Errorf("find due authorizations: %w", err)
			}
			for _, a := range due {
				if a.Status != AuthStatusAuthorized || a.StatusAt(now) != AuthStatusExpired {
					continue // defensive: the store returned a row that is not due
				}
				if err := s.endAuthorization(ctx, tx, a, AuthStatusExpired, actor, now, "window ended"); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}
