package casebook

import (
	"context"
	"fmt"
	"sort"
)

// maxCaseHistory bounds the events CaseHistory returns: far more than a
// ticket's grants produce in practice.
const maxCaseHistory = 500

// CaseHistory returns what happened to the authorizations of a ticket the
// caller may see, newest first: confirmations, every read of a grant's
// credentials by the engineer, and how each grant ended. Another account's
// or group's ticket is ENOTFOUND, as everywhere.
func (s *Service) CaseHistory(ctx context.Context, p *Principal, groupID, caseID string) ([]*AuditEvent, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	var events []*AuditEvent
	err = s.store.Read(ctx, func(tx Tx) error {
		events = nil
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		f := AuthorizationFilter{Scope: scope, CaseID: c.ID, Now: s.nowMS(), Limit: MaxPageLimit}
		for {
			page, total, err := tx.FindAuthorizations(ctx, f)
			if err != nil {
				return fmt.Errorf("find authorizations: %w", err)
			}
			for _, a := range page {
				found, err := tx.FindAudit(ctx, AuditFilter{AccountID: c.AccountID, AuthorizationID: a.ID, Limit: maxCaseHistory})
				if err != nil {
					return fmt.Errorf("find audit: %w", err)
				}
				for _, e := range found {
					if e.CaseID == "" || e.CaseID == c.ID {
						events = append(events, e)
					}
				}
			}
			f.Offset += len(page)
			if len(page) == 0 || f.Offset >= total {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ID > events[j].ID })
	if len(events) > maxCaseHistory {
		events = events[:maxCaseHistory]
	}
	return events, nil
}
