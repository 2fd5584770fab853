package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casebook/casebook"
)

const accessKeyColumns = `id, account_id, user_id, secret_ciphertext, enabled, description, created_at`

// CreateAccessKey inserts an access key; the secret arrives sealed.
func (tx *Tx) CreateAccessKey(ctx context.Context, k *casebook.AccessKey) error {
	_, err := tx.exec(ctx, `INSERT INTO access_keys (`+accessKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.AccountID, k.UserID, k.SecretCiphertext, k.Enabled, k.Description, tx.time(k.CreatedAt))
	return tx.wrap("insert access key", err)
}

// FindAccessKey returns the access key with this AK or ENOTFOUND.
func (tx *Tx) FindAccessKey(ctx context.Context, id string) (*casebook.AccessKey, error) {
	k, err := scanAccessKey(tx.queryRow(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Access key")
	}
	return k, tx.wrap("find access key", err)
}

// FindAccessKeys returns the access keys of the user, oldest first.
func (tx *Tx) FindAccessKeys(ctx context.Context, userID string) ([]*casebook.AccessKey, error) {
	rows, err := tx.query(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, tx.wrap("find access keys", err)
	}
	defer rows.Close()
	var keys []*casebook.AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, tx.wrap("scan access key", err)
		}
		keys = append(keys, k)
	}
	return keys, tx.wrap("find access keys", rows.Err())
}

// UpdateAccessKey saves Enabled and Description.
func (tx *Tx) UpdateAccessKey(ctx context.Context, k *casebook.AccessKey) error {
	res, err := tx.exec(ctx, `UPDATE access_keys SET enabled = ?, description = ? WHERE id = ? AND user_id = ?`,
		k.Enabled, k.Description, k.ID, k.UserID)
	return tx.affected("update access key", "Access key", res, err)
}

// DeleteAccessKey removes the user's access key.
func (tx *Tx) DeleteAccessKey(ctx context.Context, userID, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM access_keys WHERE user_id = ? AND id = ?`, userID, id)
	return tx.affected("delete access key", "Access key", res, err)
}

func scanAccessKey(s scanner) (*casebook.AccessKey, error) {
	var k casebook.AccessKey
	if err := s.Scan(&k.ID, &k.AccountID, &k.UserID, &k.SecretCiphertext, &k.Enabled, &k.Description, timeCol{&k.CreatedAt}); err != nil {
		return nil, err
	}
	return &k, nil
}
