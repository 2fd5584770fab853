package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/casebook/casebook"
)

const labelColumns = `l.id, l.account_id, l.owner_id, l.name, l.color, l.created_at`

// CreateLabel inserts a label and sets its ID; a name its owner already
// uses is ECONFLICT.
func (tx *Tx) CreateLabel(ctx context.Context, l *casebook.Label) error {
	err := tx.queryRow(ctx, `INSERT INTO labels (account_id, owner_id, name, color, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		l.AccountID, l.OwnerID, l.Name, l.Color, tx.time(l.CreatedAt)).Scan(&l.ID)
	return tx.wrap("insert label", err)
}

// FindLabel returns one of the owner's labels.
func (tx *Tx) FindLabel(ctx context.Context, accountID, ownerID string, id int64) (*casebook.Label, error) {
	l, err := scanLabel(tx.queryRow(ctx, `SELECT `+labelColumns+` FROM labels l
		WHERE l.id = ? AND l.account_id = ? AND l.owner_id = ?`, id, accountID, ownerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Label")
	}
	return l, tx.wrap("find label", err)
}

// FindLabels returns one page of the owner's labels, oldest first, and the
// exact total (a user has few).
func (tx *Tx) FindLabels(ctx context.Context, f casebook.LabelFilter) ([]*casebook.Label, int, error) {
	conds := []string{"l.account_id = ?", "l.owner_id = ?"}
	args := []any{f.AccountID, f.OwnerID}
	if f.ID != 0 {
		conds, args = append(conds, "l.id = ?"), append(args, f.ID)
	}
	if f.Name != "" {
		conds, args = append(conds, tx.like("l.name")), append(args, tx.likeArg(f.Name))
	}
	total, err := tx.count(ctx, "count labels", `SELECT COUNT(*) FROM labels l`+where(conds), args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.query(ctx, `SELECT `+labelColumns+` FROM labels l`+where(conds)+` ORDER BY l.id LIMIT ? OFFSET ?`,
		append(args, pageLimit(f.Limit), int64(max(f.Offset, 0)))...)
	if err != nil {
		return nil, 0, tx.wrap("find labels", err)
	}
	defer rows.Close()
	var labels []*casebook.Label
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, 0, tx.wrap("scan label", err)
		}
		labels = append(labels, l)
	}
	return labels, total, tx.wrap("find labels", rows.Err())
}

// UpdateLabel saves Name and Color.
func (tx *Tx) UpdateLabel(ctx context.Context, l *casebook.Label) error {
	res, err := tx.exec(ctx, `UPDATE labels SET name = ?, color = ? WHERE id = ? AND account_id = ? AND owner_id = ?`,
		l.Name, l.Color, l.ID, l.AccountID, l.OwnerID)
	return tx.affected("update label", "Label", res, err)
}

// DeleteLabel removes the label and its links to tickets.
func (tx *Tx) DeleteLabel(ctx context.Context, accountID, ownerID string, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM case_labels WHERE label_id IN
		(SELECT id FROM labels WHERE id = ? AND account_id = ? AND owner_id = ?)`, id, accountID, ownerID); err != nil {
		return tx.wrap("delete case labels", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM labels WHERE id = ? AND account_id = ? AND owner_id = ?`, id, accountID, ownerID)
	return tx.affected("delete label", "Label", res, err)
}

// LockLabelOwner serialises the label writers of one owner, where the
// dialect has such locks; SQLite serialises all writers already.
func (tx *Tx) LockLabelOwner(ctx context.Context, ownerID string) error {
	if !tx.write || tx.d.LockKey == "" {
		return nil
	}
	_, err := tx.exec(ctx, tx.d.LockKey, "casebook.labels."+ownerID)
	return tx.wrap("lock label owner", err)
}

// AddCaseLabel links a label to a ticket; an existing link is kept as it
// was.
func (tx *Tx) AddCaseLabel(ctx context.Context, c *casebook.Case, labelID int64, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO case_labels (case_id, label_id, case_created_at, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_id, label_id) DO NOTHING`, c.ID, labelID, tx.time(c.CreatedAt), tx.time(at))
	return tx.wrap("insert case label", err)
}

// RemoveCaseLabel removes a link; ENOTFOUND if there is none.
func (tx *Tx) RemoveCaseLabel(ctx context.Context, caseID string, labelID int64) error {
	res, err := tx.exec(ctx, `DELETE FROM case_labels WHERE case_id = ? AND label_id = ?`, caseID, labelID)
	return tx.affected("delete case label", "Case label", res, err)
}

// FindCaseLabels returns the owner's labels on each of the tickets, oldest
// link first.
func (tx *Tx) FindCaseLabels(ctx context.Context, ownerID string, caseIDs []string) (map[string][]*casebook.Label, error) {
	byCase := make(map[string][]*casebook.Label)
	if len(caseIDs) == 0 {
		return byCase, nil
	}
	args := append(anyArgs(caseIDs), ownerID)
	rows, err := tx.query(ctx, `SELECT cl.case_id, `+labelColumns+` FROM case_labels cl
		JOIN labels l ON l.id = cl.label_id
		WHERE cl.case_id IN (`+placeholders(len(caseIDs))+`) AND l.owner_id = ?
		ORDER BY cl.created_at, l.id`, args...)
	if err != nil {
		return nil, tx.wrap("find case labels", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caseID string
		var l casebook.Label
		if err := rows.Scan(&caseID, &l.ID, &l.AccountID, &l.OwnerID, &l.Name, &l.Color, timeCol{&l.CreatedAt}); err != nil {
			return nil, tx.wrap("scan case label", err)
		}
		byCase[caseID] = append(byCase[caseID], &l)
	}
	return byCase, tx.wrap("find case labels", rows.Err())
}

func scanLabel(s scanner) (*casebook.Label, error) {
	var l casebook.Label
	if err := s.Scan(&l.ID, &l.AccountID, &l.OwnerID, &l.Name, &l.Color, timeCol{&l.CreatedAt}); err != nil {
		return nil, err
	}
	return &l, nil
}
