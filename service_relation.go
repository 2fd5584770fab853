package casebook

import (
	"context"
	"fmt"
	"sort"
)

// CreateRelations links up to three other tickets to a ticket. Every ticket
// involved must be visible to the caller, and a ticket has at most
// MaxRelationsPerCase relations in total, however many requests race.
func (s *Service) CreateRelations(ctx context.Context, p *Principal, groupID, caseID string, relatedIDs []string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if len(relatedIDs) == 0 {
		return Invalidf("related_id_list", "related_id_list must name at least one case.")
	} else if len(relatedIDs) > MaxRelationsPerCase {
		return Errorf(ELIMIT, "A case can have at most %d associated cases.", MaxRelationsPerCase).WithReason(ReasonRelationLimit)
	}
	seen := make(map[string]bool, len(relatedIDs))
	for _, id := range relatedIDs {
		if err := CheckLength("related_id_list", id, 1, MaxCaseIDLength); err != nil {
			return err
		}
		switch {
		case id == caseID:
			return Invalidf("related_id_list", "A case cannot be associated with itself.")
		case seen[id]:
			return Invalidf("related_id_list", "Case %q is given twice.", id)
		}
		seen[id] = true
	}

	return s.store.Write(ctx, func(tx Tx) error {
		// Lock every ticket involved in id order, so that two requests
		// relating the same tickets in opposite directions cannot
		// deadlock; the lock on caseID is what makes the cap hold.
		ids := append([]string{caseID}, relatedIDs...)
		sort.Strings(ids)
		var c *Case
		for _, id := range ids {
			found, err := tx.FindCase(ctx, scope, id)
			if err != nil {
				return err
			}
			if id == caseID {
				c = found
			}
		}
		existing, err := tx.FindRelations(ctx, c.AccountID, c.ID)
		if err != nil {
			return fmt.Errorf("find relations: %w", err)
		}
		for _, r := range existing {
			if seen[r.RelatedID] {
				return Errorf(ECONFLICT, "Case %q is already associated.", r.RelatedID)
			}
		}
		if len(existing)+len(relatedIDs) > MaxRelationsPerCase {
			return Errorf(ELIMIT, "A case can have at most %d associated cases; it has %d.", MaxRelationsPerCase, len(existing)).WithReason(ReasonRelationLimit)
		}
		now := s.nowMS()
		for _, id := range relatedIDs {
			r := &Relation{AccountID: c.AccountID, CaseID: c.ID, RelatedID: id, CreatedAt: now}
			if err := tx.CreateRelation(ctx, r); err != nil {
				return fmt.Errorf("create relation: %w", err)
			}
			logCase(tx, CaseEventRelationAdded, customerActor(p), c.AccountID, c.ID, id)
		}
		return nil
	})
}

// ListRelations returns the tickets associated with a ticket, oldest first.
// A related ticket the caller can no longer see (deleted, or outside the
// request's scope) is left out, so that nothing about it leaks.
func (s *Service) ListRelations(ctx context.Context, p *Principal, groupID, caseID string) ([]*Relation, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	var visible []*Relation
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		all, err := tx.FindRelations(ctx, c.AccountID, c.ID)
		if err != nil {
			return fmt.Errorf("find relations: %w", err)
		}
		for _, r := range all {
			if _, err := tx.FindCase(ctx, scope, r.RelatedID); ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			visible = append(visible, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return visible, nil
}

// DeleteRelation removes one association of a ticket.
func (s *Service) DeleteRelation(ctx context.Context, p *Principal, groupID, caseID, relatedID string) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if relatedID == "" {
		return Invalidf("related_id", "related_id is required.")
	} else if err := CheckLength("related_id", relatedID, 1, MaxCaseIDLength); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		existing, err := tx.FindRelations(ctx, c.AccountID, c.ID)
		if err != nil {
			return fmt.Errorf("find relations: %w", err)
		}
		found := false
		for _, r := range existing {
			found = found || r.RelatedID == relatedID
		}
		if !found {
			return NotFoundf("Case %q is not associated with case %q.", relatedID, caseID)
		}
		if err := tx.DeleteRelation(ctx, c.AccountID, c.ID, relatedID); err != nil {
			return fmt.Errorf("delete relation: %w", err)
		}
		logCase(tx, CaseEventRelationRemoved, customerActor(p), c.AccountID, c.ID, relatedID)
		return nil
	})
}
