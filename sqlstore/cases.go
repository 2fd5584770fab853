package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/casebook/casebook"
)

const caseColumns = `c.id, c.account_id, c.creator_id, c.creator_name, c.business_type_id, c.incident_sub_type_id,
	c.product_category_id, c.region_id, c.project_id, c.severity_id, c.source_id, c.simple_description,
	c.remind_mobile, c.remind_mail, c.remind_time, c.area_code, c.extends_map, c.status, c.assignee_id,
	c.assignee_name, c.judgement, c.created_at, c.updated_at, c.confirmed_at, c.last_urged_at`

// CreateCase inserts a ticket; an id in use is ECONFLICT.
func (tx *Tx) CreateCase(ctx context.Context, c *casebook.Case) error {
	extends, err := encodeExtends(c.ExtendsMap)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO cases (id, account_id, creator_id, creator_name, business_type_id,
		incident_sub_type_id, product_category_id, region_id, project_id, severity_id, source_id,
		simple_description, remind_mobile, remind_mail, remind_time, area_code, extends_map, status,
		assignee_id, assignee_name, judgement, created_at, updated_at, confirmed_at, last_urged_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.AccountID, c.CreatorID, c.CreatorName, c.BusinessTypeID,
		c.IncidentSubTypeID, c.ProductCategoryID, c.RegionID, c.ProjectID, c.SeverityID, c.SourceID,
		c.SimpleDescription, c.RemindMobile, c.RemindMail, c.RemindTime, c.AreaCode, extends, c.Status,
		c.AssigneeID, c.AssigneeName, c.Judgement, tx.time(c.CreatedAt), tx.time(c.UpdatedAt),
		tx.nullTime(c.ConfirmedAt), tx.nullTime(c.LastUrgedAt))
	return tx.wrap("insert case", err)
}

// FindCase returns the ticket if it is inside scope and not deleted;
// inside Write the row stays locked until commit.
func (tx *Tx) FindCase(ctx context.Context, scope casebook.Scope, id string) (*casebook.Case, error) {
	cond, args := scopeCond("c.account_id", "c.creator_id", scope)
	args = append([]any{id, casebook.CaseStatusDeleted}, args...)
	return tx.findCase(ctx, `c.id = ? AND c.status <> ? AND `+cond, args...)
}

// FindCaseByID returns the ticket, whatever its account or status; inside
// Write the row stays locked until commit.
func (tx *Tx) FindCaseByID(ctx context.Context, id string) (*casebook.Case, error) {
	return tx.findCase(ctx, `c.id = ?`, id)
}

func (tx *Tx) findCase(ctx context.Context, cond string, args ...any) (*casebook.Case, error) {
	row := tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE `+cond+tx.forUpdate("c"), args...)
	c, err := scanCase(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, casebook.NotFoundf("Case not found.").WithReason(casebook.ReasonCaseNotFound)
	}
	return c, tx.wrap("find case", err)
}

// FindCases returns one page of tickets, newest first, and the total.
func (tx *Tx) FindCases(ctx context.Context, f casebook.CaseFilter) ([]*casebook.Case, int, error) {
	conds, args := tx.caseConds(f)
	// One label and no condition but the scope and the deleted flag: the
	// label's counts (migration 0013) hold the total.
	labelCounted := len(f.LabelIDs) == 1 && !f.AllAccounts && !f.IncludeDeleted && len(conds) == 2
	from, idColumn, order := "cases c", "c.id", "c.created_at DESC, c.id DESC"
	if len(f.LabelIDs) > 0 {
		// Start from the labels' index, newest ticket first, and check
		// each ticket's scope and filters by its key: a label's page (and
		// its count) costs the same however many tickets the account has.
		// CROSS JOIN makes SQLite keep that order (it would otherwise count
		// by walking all of the user's tickets); PostgreSQL plans it as
		// any inner join. A ticket with several of the labels is counted
		// once, by the lowest of them.
		from, idColumn, order = "case_labels cl CROSS JOIN cases c", "cl.case_id", "cl.case_created_at DESC, cl.case_id DESC"
		list := placeholders(len(f.LabelIDs))
		conds = append(conds, "c.id = cl.case_id", "cl.label_id IN ("+list+")")
		for _, id := range f.LabelIDs {
			args = append(args, id)
		}
		if len(f.LabelIDs) > 1 {
			conds = append(conds, "NOT EXISTS (SELECT 1 FROM case_labels cl2 WHERE cl2.case_id = cl.case_id AND cl2.label_id < cl.label_id AND cl2.label_id IN ("+list+"))")
			for _, id := range f.LabelIDs {
				args = append(args, id)
			}
		}
	}
	var ids []string
	var total int
	var err error
	if labelCounted {
		ids, total, err = tx.pageLabelCounted(ctx, f, from, idColumn, order, conds, args)
	} else {
		ids, total, err = tx.page(ctx, "find cases", from, idColumn, order, conds, args, f.Offset, f.Limit)
	}
	if err != nil || len(ids) == 0 {
		return nil, total, err
	}
	rows, err := tx.query(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id IN (`+placeholders(len(ids))+`)`, anyArgs(ids)...)
	if err != nil {
		return nil, 0, tx.wrap("find cases", err)
	}
	defer rows.Close()
	byID := make(map[string]*casebook.Case, len(ids))
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, tx.wrap("scan case", err)
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, 0, tx.wrap("find cases", err)
	}
	cases := make([]*casebook.Case, 0, len(ids))
	for _, id := range ids {
		if c := byID[id]; c != nil {
			cases = append(cases, c)
		}
	}
	return cases, total, nil
}

// pageLabelCounted pages a one-label list and reads its total from the
// label's counts, kept exact by triggers (migration 0013): a few index rows
// instead of a join per labelled ticket. It reports what page's bounded
// count would: at most the bound.
func (tx *Tx) pageLabelCounted(ctx context.Context, f casebook.CaseFilter, from, idColumn, order string, conds []string, args []any) ([]string, int, error) {
	offset := max(f.Offset, 0)
	ids, err := tx.pageIDs(ctx, "find cases", from, idColumn, order, conds, args, offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if total, ok := pageTells(offset, f.Limit, len(ids)); ok {
		return ids, total, nil
	}
	cond, scopeArgs := scopeCond("k.account_id", "k.case_creator_id", f.Scope)
	total, err := tx.count(ctx, "count cases by label",
		`SELECT CAST(COALESCE(SUM(k.n), 0) AS BIGINT) FROM label_case_counts k WHERE k.label_id = ? AND `+cond,
		append([]any{f.LabelIDs[0]}, scopeArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	return ids, min(total, max(tx.maxCounted, offset+max(f.Limit, 0))), nil
}

// caseConds returns the conditions (and their arguments) of a ticket
// filter, over the alias c.
func (tx *Tx) caseConds(f casebook.CaseFilter) ([]string, []any) {
	var conds []string
	var args []any
	if !f.AllAccounts {
		cond, scopeArgs := scopeCond("c.account_id", "c.creator_id", f.Scope)
		conds, args = append(conds, cond), append(args, scopeArgs...)
	}
	if !f.IncludeDeleted {
		conds, args = append(conds, "c.status <> ?"), append(args, casebook.CaseStatusDeleted)
	}
	if f.ID != "" {
		conds, args = append(conds, "c.id = ?"), append(args, f.ID)
	}
	if f.Status != nil {
		conds, args = append(conds, "c.status = ?"), append(args, *f.Status)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "c.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	for _, key := range f.SearchKeys {
		if !searchable(key) {
			conds = append(conds, matchNothing)
			continue
		}
		conds, args = append(conds, tx.like("c.simple_description")), append(args, tx.likeArg(key))
	}
	if !searchable(f.AppKey) {
		conds = append(conds, matchNothing)
	} else if f.AppKey != "" {
		conds, args = append(conds, "(c.id = ? OR "+tx.like("c.simple_description")+")"), append(args, f.AppKey, tx.likeArg(f.AppKey))
	}
	if f.CreatorID != "" {
		conds, args = append(conds, "c.creator_id = ?"), append(args, f.CreatorID)
	}
	if f.CreatorName != "" {
		conds, args = append(conds, "c.creator_name = ?"), append(args, f.CreatorName)
	}
	if f.AssigneeID != "" {
		conds, args = append(conds, "c.assignee_id = ?"), append(args, f.AssigneeID)
	}
	if f.Unassigned {
		conds, args = append(conds, "c.assignee_id = ?"), append(args, "")
	}
	if f.AccountID != "" {
		conds, args = append(conds, "c.account_id = ?"), append(args, f.AccountID)
	}
	if f.CreatedFrom != nil {
		conds, args = append(conds, "c.created_at >= ?"), append(args, tx.time(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		conds, args = append(conds, "c.created_at <= ?"), append(args, tx.time(*f.CreatedTo))
	}
	if f.Before != nil {
		conds = append(conds, "(c.created_at < ? OR (c.created_at = ? AND c.id < ?))")
		args = append(args, tx.time(f.Before.CreatedAt), tx.time(f.Before.CreatedAt), f.Before.ID)
	}
	if f.ProductCategoryID != "" {
		conds, args = append(conds, "c.product_category_id = ?"), append(args, f.ProductCategoryID)
	}
	if f.BusinessTypeID != "" {
		conds, args = append(conds, "c.business_type_id = ?"), append(args, f.BusinessTypeID)
	}
	if len(f.SourceIDs) > 0 {
		conds, args = append(conds, "c.source_id IN ("+placeholders(len(f.SourceIDs))+")"), append(args, anyArgs(f.SourceIDs)...)
	}
	return conds, args
}

// UpdateCase saves Status, AssigneeID, AssigneeName, Judgement, UpdatedAt,
// ConfirmedAt and LastUrgedAt.
func (tx *Tx) UpdateCase(ctx context.Context, c *casebook.Case) error {
	res, err := tx.exec(ctx, `UPDATE cases SET status = ?, assignee_id = ?, assignee_name = ?, judgement = ?,
		updated_at = ?, confirmed_at = ?, last_urged_at = ? WHERE id = ? AND account_id = ?`,
		c.Status, c.AssigneeID, c.AssigneeName, c.Judgement,
		tx.time(c.UpdatedAt), tx.nullTime(c.ConfirmedAt), tx.nullTime(c.LastUrgedAt), c.ID, c.AccountID)
	if err := tx.affected("update case", "Case", res, err); err != nil {
		return err
	}
	// Authorizations carry a copy of the ticket's deleted flag, so their
	// lists are filtered from one index without joining the tickets.
	deleted := c.Status == casebook.CaseStatusDeleted
	_, err = tx.exec(ctx, `UPDATE authorizations SET case_deleted = ?
		WHERE account_id = ? AND case_id = ? AND case_deleted <> ?`, deleted, c.AccountID, c.ID, deleted)
	return tx.wrap("update authorizations of case", err)
}

func scanCase(s scanner) (*casebook.Case, error) {
	var c casebook.Case
	var extends string
	if err := s.Scan(&c.ID, &c.AccountID, &c.CreatorID, &c.CreatorName, &c.BusinessTypeID, &c.IncidentSubTypeID,
		&c.ProductCategoryID, &c.RegionID, &c.ProjectID, &c.SeverityID, &c.SourceID, &c.SimpleDescription,
		&c.RemindMobile, &c.RemindMail, &c.RemindTime, &c.AreaCode, &extends, &c.Status, &c.AssigneeID,
		&c.AssigneeName, &c.Judgement, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt},
		nullTimeCol{&c.ConfirmedAt}, nullTimeCol{&c.LastUrgedAt}); err != nil {
		return nil, err
	}
	m, err := decodeExtends(extends)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.ID, err)
	}
	c.ExtendsMap = m
	return &c, nil
}

// encodeExtends stores the extension parameters as JSON text.
func encodeExtends(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode extends map: %w", err)
	}
	return string(b), nil
}

// decodeExtends reads them back; no parameters is a nil map.
func decodeExtends(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode extends map: %w", err)
	}
	return m, nil
}
