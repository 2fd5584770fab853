package casebook

import (
	"context"
	"fmt"
	"strings"
)

// Labels are personal (label.go): every method works on the caller's own
// labels, and a label id of anyone else answers exactly like one that does
// not exist. Tickets are reached through the caller's scope as everywhere.

func labelNotFound(id int64) *Error {
	return NotFoundf("Label %d does not exist.", id)
}

// checkLabelFields applies the documented bounds of a label's name and
// colour.
func checkLabelFields(name, color string) error {
	if strings.TrimSpace(name) == "" {
		return Invalidf("name", "name is required.")
	} else if err := CheckLength("name", name, 1, MaxLabelNameLength); err != nil {
		return err
	}
	if !ValidLabelColor(color) {
		return Invalidf("color", "color must be a colour of the form #RRGGBB, such as #1E90FF.")
	}
	return nil
}

func labelOwner(p *Principal) error {
	if p == nil || p.Realm != RealmCustomer || p.AccountID == "" || p.UserID == "" {
		return Errorf(EFORBIDDEN, "Only customers can do this.").WithReason(ReasonNoPermission)
	}
	return nil
}

// CreateLabel creates a label for the caller: a name unique among the
// caller's labels, and at most MaxLabelsPerUser labels, however many
// requests race.
func (s *Service) CreateLabel(ctx context.Context, p *Principal, name, color string) (*Label, error) {
	if err := labelOwner(p); err != nil {
		return nil, err
	}
	if err := checkLabelFields(name, color); err != nil {
		return nil, err
	}
	l := &Label{AccountID: p.AccountID, OwnerID: p.UserID, Name: name, Color: color, CreatedAt: s.nowMS()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.LockLabelOwner(ctx, p.UserID); err != nil {
			return err
		}
		if err := checkLabelName(ctx, tx, p, name, 0); err != nil {
			return err
		}
		_, total, err := tx.FindLabels(ctx, LabelFilter{AccountID: p.AccountID, OwnerID: p.UserID, Limit: 1})
		if err != nil {
			return fmt.Errorf("count labels: %w", err)
		}
		if total >= MaxLabelsPerUser {
			return Errorf(ELIMIT, "A user can have at most %d labels.", MaxLabelsPerUser).WithReason(ReasonLabelUserLimit)
		}
		if err := tx.CreateLabel(ctx, l); err != nil {
			return labelConflict(name, fmt.Errorf("create label: %w", err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// checkLabelName refuses a name another of the caller's labels (other than
// exceptID) already has. Names compare exactly, as stored.
func checkLabelName(ctx context.Context, tx Tx, p *Principal, name string, exceptID int64) error {
	offset := 0
	for {
		page, total, err := tx.FindLabels(ctx, LabelFilter{AccountID: p.AccountID, OwnerID: p.UserID, Name: name, Offset: offset, Limit: MaxPageLimit})
		if err != nil {
			return fmt.Errorf("find labels: %w", err)
		}
		for _, l := range page {
			if l.Name == name && l.ID != exceptID {
				return labelNameTaken(name)
			}
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			return nil
		}
	}
}

func labelNameTaken(name string) *Error {
	return Errorf(ECONFLICT, "You already have a label named %q.", name).WithReason(ReasonLabelNameTaken)
}

// labelConflict turns the store's unique violation (a race the check
// above did not see) into the documented answer.
func labelConflict(name string, err error) error {
	if ErrorCode(err) == ECONFLICT {
		return labelNameTaken(name)
	}
	return err
}

// ListLabels returns one page of the caller's labels, oldest first, and
// the total. id 0 and name "" do not filter; name matches a substring.
func (s *Service) ListLabels(ctx context.Context, p *Principal, f LabelFilter) ([]*Label, int, error) {
	if err := labelOwner(p); err != nil {
		return nil, 0, err
	}
	if err := CheckRange("offset", int64(f.Offset), 0, MaxLabelListOffset); err != nil {
		return nil, 0, err
	} else if err := CheckRange("limit", int64(f.Limit), 0, MaxPageLimit); err != nil {
		return nil, 0, err
	} else if err := checkLen("name", f.Name, MaxLabelNameLength); err != nil {
		return nil, 0, err
	} else if err := CheckRange("label_id", f.ID, 0, MaxLabelID); err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultPageLimit
	}
	f.AccountID, f.OwnerID = p.AccountID, p.UserID
	var labels []*Label
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		labels, total, err = tx.FindLabels(ctx, f)
		return err
	})
	return labels, total, err
}

// UpdateLabel renames and recolours one of the caller's labels.
func (s *Service) UpdateLabel(ctx context.Context, p *Principal, id int64, name, color string) (*Label, error) {
	if err := labelOwner(p); err != nil {
		return nil, err
	}
	if err := checkLabelFields(name, color); err != nil {
		return nil, err
	}
	var l *Label
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.LockLabelOwner(ctx, p.UserID); err != nil {
			return err
		}
		var err error
		if l, err = findOwnLabel(ctx, tx, p, id); err != nil {
			return err
		}
		if err := checkLabelName(ctx, tx, p, name, id); err != nil {
			return err
		}
		l.Name, l.Color = name, color
		return labelConflict(name, tx.UpdateLabel(ctx, l))
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// DeleteLabel deletes one of the caller's labels and removes it from every
// ticket that carries it.
func (s *Service) DeleteLabel(ctx context.Context, p *Principal, id int64) error {
	if err := labelOwner(p); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if _, err := findOwnLabel(ctx, tx, p, id); err != nil {
			return err
		}
		return tx.DeleteLabel(ctx, p.AccountID, p.UserID, id)
	})
}

func findOwnLabel(ctx context.Context, tx Tx, p *Principal, id int64) (*Label, error) {
	if id <= 0 || id > MaxLabelID {
		return nil, labelNotFound(id)
	}
	l, err := tx.FindLabel(ctx, p.AccountID, p.UserID, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, labelNotFound(id)
	}
	return l, err
}

// checkLabelIDs applies the bounds of label_ids: 1..MaxLabelsPerCase ids,
// none twice.
func checkLabelIDs(ids []int64) error {
	if err := CheckCount("label_ids", len(ids), 1, MaxLabelsPerCase); err != nil {
		return err
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if err := CheckRange("label_ids", id, 1, MaxLabelID); err != nil {
			return err
		} else if seen[id] {
			return Invalidf("label_ids", "Label %d is given twice.", id)
		}
		seen[id] = true
	}
	return nil
}

// AddCaseLabels puts some of the caller's labels on a ticket the caller may
// see. A ticket carries at most MaxLabelsPerCase of one user's labels;
// labels already on it stay, once.
func (s *Service) AddCaseLabels(ctx context.Context, p *Principal, groupID, caseID string, ids []int64) error {
	return s.changeCaseLabels(ctx, p, groupID, caseID, ids, func(tx Tx, c *Case, current []*Label) error {
		for _, id := range ids {
			if _, err := findOwnLabel(ctx, tx, p, id); err != nil {
				return err
			}
		}
		after, already := make(map[int64]bool), make(map[int64]bool)
		for _, l := range current {
			after[l.ID], already[l.ID] = true, true
		}
		for _, id := range ids {
			after[id] = true
		}
		if len(after) > MaxLabelsPerCase {
			return Errorf(ELIMIT, "A case can carry at most %d of your labels; it has %d.", MaxLabelsPerCase, len(current)).WithReason(ReasonLabelCaseLimit)
		}
		now := s.nowMS()
		for _, id := range ids {
			if err := tx.AddCaseLabel(ctx, c, id, now); err != nil {
				return fmt.Errorf("add case label: %w", err)
			}
			if !already[id] {
				// No name: labels are personal, the history is not.
				logCase(tx, CaseEventLabelAdded, customerActor(p), c.AccountID, c.ID, "")
			}
		}
		return nil
	})
}

// ListCaseLabels returns the caller's labels on a ticket the caller may
// see, oldest link first.
func (s *Service) ListCaseLabels(ctx context.Context, p *Principal, groupID, caseID string) ([]*Label, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	var labels []*Label
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		_, labels, err = findCaseAndLabels(ctx, tx, scope, p, caseID)
		return err
	})
	return labels, err
}

// RemoveCaseLabels takes some of the caller's labels off a ticket; each
// must be on it.
func (s *Service) RemoveCaseLabels(ctx context.Context, p *Principal, groupID, caseID string, ids []int64) error {
	return s.changeCaseLabels(ctx, p, groupID, caseID, ids, func(tx Tx, c *Case, current []*Label) error {
		on := make(map[int64]bool)
		for _, l := range current {
			on[l.ID] = true
		}
		for _, id := range ids {
			if !on[id] {
				return NotFoundf("Label %d is not on case %q.", id, caseID)
			}
		}
		for _, id := range ids {
			if err := tx.RemoveCaseLabel(ctx, c.ID, id); err != nil {
				return fmt.Errorf("remove case label: %w", err)
			}
			logCase(tx, CaseEventLabelRemoved, customerActor(p), c.AccountID, c.ID, "")
		}
		return nil
	})
}

// changeCaseLabels checks the label ids of a change to a ticket the caller
// may see and runs change in a write transaction with the ticket and the
// caller's labels on it.
func (s *Service) changeCaseLabels(ctx context.Context, p *Principal, groupID, caseID string, ids []int64,
	change func(tx Tx, c *Case, current []*Label) error) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if err := checkLabelIDs(ids); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		// The ticket's row lock serialises writers of its labels.
		c, current, err := findCaseAndLabels(ctx, tx, scope, p, caseID)
		if err != nil {
			return err
		}
		return change(tx, c, current)
	})
}

// findCaseAndLabels finds a ticket in scope and the caller's labels on it.
func findCaseAndLabels(ctx context.Context, tx Tx, scope Scope, p *Principal, caseID string) (*Case, []*Label, error) {
	c, err := tx.FindCase(ctx, scope, caseID)
	if err != nil {
		return nil, nil, err
	}
	byCase, err := tx.FindCaseLabels(ctx, p.UserID, []string{c.ID})
	if err != nil {
		return nil, nil, fmt.Errorf("find case labels: %w", err)
	}
	return c, byCase[c.ID], nil
}

// findLabelledCases reads one page of tickets for a customer: every label
// of the filter must be one of the caller's (another's label id is refused
// like one that does not exist, never ignored), and each ticket comes with
// the caller's labels on it.
func (s *Service) findLabelledCases(ctx context.Context, userID string, f CaseFilter) ([]*Case, int, error) {
	if err := validateSearch(f); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Offset, f.Limit, err = normalizePage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	if err := CheckCount("label_id_list", len(f.LabelIDs), 0, MaxLabelIDs); err != nil {
		return nil, 0, err
	}
	var cases []*Case
	var total int
	err = s.store.Read(ctx, func(tx Tx) error {
		if err := checkFilterLabels(ctx, tx, f.Scope.AccountID, userID, f.LabelIDs); err != nil {
			return err
		}
		var err error
		if cases, total, err = tx.FindCases(ctx, f); err != nil {
			return fmt.Errorf("find cases: %w", err)
		}
		return fillCaseLabels(ctx, tx, userID, cases)
	})
	return cases, total, err
}

// checkFilterLabels refuses a label filter naming a label that is not the
// user's own.
func checkFilterLabels(ctx context.Context, tx Tx, accountID, userID string, ids []int64) error {
	for _, id := range ids {
		if id <= 0 || id > MaxLabelID {
			return Invalidf("label_id_list", "Label %d does not exist.", id)
		}
		if _, err := tx.FindLabel(ctx, accountID, userID, id); ErrorCode(err) == ENOTFOUND {
			return Invalidf("label_id_list", "Label %d does not exist.", id)
		} else if err != nil {
			return fmt.Errorf("find label: %w", err)
		}
	}
	return nil
}

func fillCaseLabels(ctx context.Context, tx Tx, userID string, cases []*Case) error {
	if len(cases) == 0 {
		return nil
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	byCase, err := tx.FindCaseLabels(ctx, userID, ids)
	if err != nil {
		return fmt.Errorf("find case labels: %w", err)
	}
	for _, c := range cases {
		c.Labels = byCase[c.ID]
	}
	return nil
}
