package casebook

import (
	"context"
	"fmt"
	"strings"
)

// CountCases counts the tickets the caller may see, by status. Deleted
// tickets are not counted.
func (s *Service) CountCases(ctx context.Context, p *Principal, groupID string) (map[int]int, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	var counts map[int]int
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		counts, err = tx.CountCasesByStatus(ctx, scope)
		return err
	})
	return counts, err
}

// ContactUpdate changes a ticket's reminder contact; nil fields stay as
// they are, and "" clears one.
type ContactUpdate struct {
	AreaCode     *string
	RemindMobile *string
	RemindMail   *string
	RemindTime   *string
}

// UpdateCaseContact changes the reminder contact of an open ticket the
// caller may see.
func (s *Service) UpdateCaseContact(ctx context.Context, p *Principal, groupID, caseID string, u ContactUpdate) (*Case, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	if u.AreaCode == nil && u.RemindMobile == nil && u.RemindMail == nil && u.RemindTime == nil {
		return nil, Invalidf("remind_mobile", "Nothing to change: give area_code, remind_mobile, remind_mail or remind_time.")
	}
	for _, f := range []struct {
		name  string
		value *string
		max   int
	}{
		{"area_code", u.AreaCode, MaxAreaCodeLength},
		{"remind_mobile", u.RemindMobile, MaxRemindMobileLength},
		{"remind_mail", u.RemindMail, MaxRemindMailLength},
		{"remind_time", u.RemindTime, MaxRemindTimeLength},
	} {
		if f.value != nil {
			if err := checkLen(f.name, *f.value, f.max); err != nil {
				return nil, err
			}
		}
	}
	return s.updateOpenCase(ctx, scope, caseID, "The contact of a closed case cannot be changed.", func(tx Tx, c *Case) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&c.AreaCode, u.AreaCode)
		set(&c.RemindMobile, u.RemindMobile)
		set(&c.RemindMail, u.RemindMail)
		set(&c.RemindTime, u.RemindTime)
		logCase(tx, CaseEventContactChanged, customerActor(p), c.AccountID, c.ID, u.fieldNames())
		return nil
	})
}

// updateOpenCase changes a ticket in scope in one transaction: a closed
// one is refused with closedMsg; change edits the found ticket, which is
// then stored with a new update time.
func (s *Service) updateOpenCase(ctx context.Context, scope Scope, caseID, closedMsg string, change func(tx Tx, c *Case) error) (*Case, error) {
	var c *Case
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.FindCase(ctx, scope, caseID); err != nil {
			return err
		}
		if !CaseIsOpen(c.Status) {
			return Errorf(ECONFLICT, "%s", closedMsg)
		}
		if err := change(tx, c); err != nil {
			return err
		}
		c.UpdatedAt = s.nowMS()
		return tx.UpdateCaseInfo(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AddCaseExtends adds extension parameters to an open ticket the caller
// may see: given keys are set (a key already there is replaced), the others
// stay. The result obeys the limits of CreateCases' extends_map.
func (s *Service) AddCaseExtends(ctx context.Context, p *Principal, groupID, caseID string, params map[string]string) (*Case, error) {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return nil, err
	}
	if len(params) == 0 {
		return nil, Invalidf("extends_map", "extends_map must hold at least one parameter.")
	}
	if err := checkExtends(params); err != nil {
		return nil, err
	}
	return s.updateOpenCase(ctx, scope, caseID, "The parameters of a closed case cannot be changed.", func(tx Tx, c *Case) error {
		merged := copyStringMap(c.ExtendsMap)
		if merged == nil {
			merged = make(map[string]string, len(params))
		}
		for k, v := range params {
			merged[k] = v
		}
		if err := CheckCount("extends_map", len(merged), 0, MaxExtendsEntries); err != nil {
			return err
		}
		c.ExtendsMap = merged
		return nil
	})
}

func checkExtends(m map[string]string) error {
	if err := CheckCount("extends_map", len(m), 0, MaxExtendsEntries); err != nil {
		return err
	}
	for k, v := range m {
		if err := CheckLength("extends_map key", k, 1, MaxExtendsKeyLength); err != nil {
			return err
		} else if err := checkLen("extends_map value", v, MaxExtendsValueLength); err != nil {
			return err
		}
	}
	return nil
}

// exportBatch is how many tickets ExportCases reads per transaction.
const exportBatch = 500

// ExportCases calls fn for every ticket of the caller's view that f
// selects, newest first. It reads them in batches of exportBatch, each in
// its own short read transaction, and calls fn between them: memory does
// not grow with the number of tickets, and a slow reader of the export
// holds no transaction open (tickets created meanwhile are not included;
// ones deleted meanwhile may be missing). f.Limit 0 means every ticket;
// otherwise at most MaxExportRows.
func (s *Service) ExportCases(ctx context.Context, p *Principal, groupID string, f CaseFilter, fn func(*Case) error) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if err := CheckRange("offset", int64(f.Offset), 0, MaxListOffset); err != nil {
		return err
	} else if err := CheckRange("limit", int64(f.Limit), 0, MaxExportRows); err != nil {
		return err
	} else if err := validateSearch(f); err != nil {
		return err
	}
	f.Scope = scope
	f.AllAccounts = false
	f.IncludeDeleted = false
	f.LabelIDs = nil
	f.Before = nil
	remaining := f.Limit
	batch := make([]*Case, 0, exportBatch)
	for {
		size := exportBatch
		if remaining > 0 {
			size = min(size, remaining)
		}
		page := f
		page.Limit = size
		batch = batch[:0]
		err := s.store.Read(ctx, func(tx Tx) error {
			return tx.EachCase(ctx, page, func(c *Case) error {
				batch = append(batch, c)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("export cases: %w", err)
		}
		for _, c := range batch {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(batch) < size {
			return nil
		}
		if remaining > 0 {
			if remaining -= len(batch); remaining == 0 {
				return nil
			}
		}
		last := batch[len(batch)-1]
		f.Before = &CaseCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		f.Offset = 0
	}
}

// fieldNames names the fields u changes, for the ticket's history (the
// values stay out of it).
func (u ContactUpdate) fieldNames() string {
	var names []string
	for _, f := range []struct {
		name string
		v    *string
	}{{"area_code", u.AreaCode}, {"remind_mobile", u.RemindMobile}, {"remind_mail", u.RemindMail}, {"remind_time", u.RemindTime}} {
		if f.v != nil {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ",")
}
