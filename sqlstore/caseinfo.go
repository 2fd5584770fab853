package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

// UpdateCaseInfo saves the reminder contact, the extension parameters and
// UpdatedAt.
func (tx *Tx) UpdateCaseInfo(ctx context.Context, c *casebook.Case) error {
	extends, err := encodeExtends(c.ExtendsMap)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE cases SET area_code = ?, remind_mobile = ?, remind_mail = ?, remind_time = ?,
		extends_map = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		c.AreaCode, c.RemindMobile, c.RemindMail, c.RemindTime, extends, tx.time(c.UpdatedAt), c.ID, c.AccountID)
	return tx.affected("update case info", "Case", res, err)
}

// CountCasesByStatus counts the tickets of the scope by status, from the
// same indexes as the lists.
func (tx *Tx) CountCasesByStatus(ctx context.Context, scope casebook.Scope) (map[int]int, error) {
	// From the live counts (migration 0013): a row per creator and status,
	// whatever the number of tickets.
	cond, args := scopeCond("k.account_id", "k.creator_id", scope)
	rows, err := tx.query(ctx, `SELECT k.status, CAST(SUM(k.n) AS BIGINT) FROM case_status_counts k
		WHERE `+cond+` AND k.status <> ? GROUP BY k.status HAVING SUM(k.n) > 0`,
		append(args, casebook.CaseStatusDeleted)...)
	if err != nil {
		return nil, tx.wrap("count cases", err)
	}
	defer rows.Close()
	counts := make(map[int]int)
	for rows.Next() {
		var status, n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, tx.wrap("scan count", err)
		}
		counts[status] = n
	}
	return counts, tx.wrap("count cases", rows.Err())
}

// EachCase streams the tickets of a filter, newest first, one row at a
// time: nothing but the current row is held.
func (tx *Tx) EachCase(ctx context.Context, f casebook.CaseFilter, fn func(*casebook.Case) error) error {
	conds, args := tx.caseConds(f)
	if len(f.LabelIDs) > 0 {
		conds = append(conds, "c.id IN (SELECT cl.case_id FROM case_labels cl WHERE cl.label_id IN ("+placeholders(len(f.LabelIDs))+"))")
		for _, id := range f.LabelIDs {
			args = append(args, id)
		}
	}
	rows, err := tx.query(ctx, `SELECT `+caseColumns+` FROM cases c`+where(conds)+
		` ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`,
		append(args, pageLimit(f.Limit), int64(max(f.Offset, 0)))...)
	if err != nil {
		return tx.wrap("each case", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return tx.wrap("scan case", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return tx.wrap("each case", rows.Err())
}
