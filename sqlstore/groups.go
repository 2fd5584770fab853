package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casebook/casebook"
)

// CreateGroup inserts a group; a name taken within the account is ECONFLICT.
func (tx *Tx) CreateGroup(ctx context.Context, g *casebook.Group) error {
	_, err := tx.exec(ctx, `INSERT INTO user_groups (id, account_id, name, created_at) VALUES (?, ?, ?, ?)`,
		g.ID, g.AccountID, g.Name, tx.time(g.CreatedAt))
	return tx.wrap("insert group", err)
}

// FindGroupByID returns the group of the account or ENOTFOUND.
func (tx *Tx) FindGroupByID(ctx context.Context, accountID, id string) (*casebook.Group, error) {
	var g casebook.Group
	err := tx.queryRow(ctx, `SELECT id, account_id, name, created_at FROM user_groups WHERE account_id = ? AND id = ?`, accountID, id).
		Scan(&g.ID, &g.AccountID, &g.Name, timeCol{&g.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Group")
	} else if err != nil {
		return nil, tx.wrap("find group", err)
	}
	return &g, nil
}

// FindGroups returns the groups of the account, oldest first.
func (tx *Tx) FindGroups(ctx context.Context, accountID string) ([]*casebook.Group, error) {
	rows, err := tx.query(ctx, `SELECT id, account_id, name, created_at FROM user_groups WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, tx.wrap("find groups", err)
	}
	defer rows.Close()
	var groups []*casebook.Group
	for rows.Next() {
		var g casebook.Group
		if err := rows.Scan(&g.ID, &g.AccountID, &g.Name, timeCol{&g.CreatedAt}); err != nil {
			return nil, tx.wrap("scan group", err)
		}
		groups = append(groups, &g)
	}
	return groups, tx.wrap("find groups", rows.Err())
}

// DeleteGroup removes the group and its memberships.
func (tx *Tx) DeleteGroup(ctx context.Context, accountID, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM group_members WHERE account_id = ? AND group_id = ?`, accountID, id); err != nil {
		return tx.wrap("delete memberships", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM user_groups WHERE account_id = ? AND id = ?`, accountID, id)
	return tx.affected("delete group", "Group", res, err)
}

// AddGroupMember adds the user to the group, both of the account; adding
// a member again changes nothing.
func (tx *Tx) AddGroupMember(ctx context.Context, accountID, groupID, userID string) error {
	if err := tx.checkMembershipParties(ctx, accountID, groupID, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO group_members (account_id, group_id, user_id) VALUES (?, ?, ?)
		ON CONFLICT (group_id, user_id) DO NOTHING`, accountID, groupID, userID)
	return tx.wrap("insert membership", err)
}

// RemoveGroupMember removes the user from the group; removing a user who
// is not a member changes nothing. The group and the user must exist.
func (tx *Tx) RemoveGroupMember(ctx context.Context, accountID, groupID, userID string) error {
	if err := tx.checkMembershipParties(ctx, accountID, groupID, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM group_members WHERE account_id = ? AND group_id = ? AND user_id = ?`, accountID, groupID, userID)
	return tx.wrap("delete membership", err)
}

// checkMembershipParties returns ENOTFOUND unless both the group and the
// user belong to the account.
func (tx *Tx) checkMembershipParties(ctx context.Context, accountID, groupID, userID string) error {
	n, err := tx.count(ctx, "find group", `SELECT COUNT(*) FROM user_groups WHERE account_id = ? AND id = ?`, accountID, groupID)
	if err != nil {
		return err
	} else if n == 0 {
		return notFound("Group")
	}
	n, err = tx.count(ctx, "find user", `SELECT COUNT(*) FROM users WHERE account_id = ? AND id = ?`, accountID, userID)
	if err != nil {
		return err
	} else if n == 0 {
		return notFound("User")
	}
	return nil
}

// FindGroupIDsOfUser returns the ids of the groups the user belongs to.
func (tx *Tx) FindGroupIDsOfUser(ctx context.Context, userID string) ([]string, error) {
	return tx.queryIDs(ctx, "find groups of user", `SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id`, userID)
}
