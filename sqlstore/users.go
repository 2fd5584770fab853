package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casebook/casebook"
)

const userColumns = `id, account_id, name, password_hash, is_master, enabled, epoch, created_at`

// CreateUser inserts a user; a name taken within the account is ECONFLICT.
func (tx *Tx) CreateUser(ctx context.Context, u *casebook.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.AccountID, u.Name, u.PasswordHash, u.IsMaster, u.Enabled, u.Epoch, tx.time(u.CreatedAt))
	return tx.wrap("insert user", err)
}

// FindUserByID returns the user or ENOTFOUND.
func (tx *Tx) FindUserByID(ctx context.Context, id string) (*casebook.User, error) {
	return tx.findUser(ctx, `id = ?`, id)
}

// FindUserByName returns the user of the account or ENOTFOUND.
func (tx *Tx) FindUserByName(ctx context.Context, accountID, name string) (*casebook.User, error) {
	return tx.findUser(ctx, `account_id = ? AND name = ?`, accountID, name)
}

func (tx *Tx) findUser(ctx context.Context, cond string, args ...any) (*casebook.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User")
	}
	return u, tx.wrap("find user", err)
}

// FindUsers returns the users of the account, oldest first.
func (tx *Tx) FindUsers(ctx context.Context, accountID string) ([]*casebook.User, error) {
	rows, err := tx.query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, tx.wrap("find users", err)
	}
	defer rows.Close()
	var users []*casebook.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, tx.wrap("scan user", err)
		}
		users = append(users, u)
	}
	return users, tx.wrap("find users", rows.Err())
}

// UpdateUser saves PasswordHash, Enabled and Epoch.
func (tx *Tx) UpdateUser(ctx context.Context, u *casebook.User) error {
	res, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, enabled = ?, epoch = ? WHERE id = ? AND account_id = ?`,
		u.PasswordHash, u.Enabled, u.Epoch, u.ID, u.AccountID)
	return tx.affected("update user", "User", res, err)
}

// DeleteUser removes the user with their memberships and access keys; the
// tickets they created stay.
func (tx *Tx) DeleteUser(ctx context.Context, accountID, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM group_members WHERE account_id = ? AND user_id = ?`, accountID, id); err != nil {
		return tx.wrap("delete memberships", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM access_keys WHERE account_id = ? AND user_id = ?`, accountID, id); err != nil {
		return tx.wrap("delete access keys", err)
	}
	if err := tx.SetCcEmails(ctx, accountID, id, nil); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM users WHERE account_id = ? AND id = ?`, accountID, id)
	return tx.affected("delete user", "User", res, err)
}

func scanUser(s scanner) (*casebook.User, error) {
	var u casebook.User
	if err := s.Scan(&u.ID, &u.AccountID, &u.Name, &u.PasswordHash, &u.IsMaster, &u.Enabled, &u.Epoch, timeCol{&u.CreatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// affected turns the result of an UPDATE or DELETE of one row into
// ENOTFOUND when no row matched.
func (tx *Tx) affected(action, what string, res sql.Result, err error) error {
	if err != nil {
		return tx.wrap(action, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tx.wrap(action, err)
	} else if n == 0 {
		return notFound(what)
	}
	return nil
}
