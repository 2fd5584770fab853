package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casebook/casebook"
)

// CreateAccount inserts an account; a taken name is ECONFLICT.
func (tx *Tx) CreateAccount(ctx context.Context, a *casebook.Account) error {
	_, err := tx.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`,
		a.ID, a.Name, tx.time(a.CreatedAt))
	return tx.wrap("insert account", err)
}

// FindAccountByID returns the account or ENOTFOUND.
func (tx *Tx) FindAccountByID(ctx context.Context, id string) (*casebook.Account, error) {
	return tx.findAccount(ctx, `id = ?`, id)
}

// FindAccountByName returns the account or ENOTFOUND.
func (tx *Tx) FindAccountByName(ctx context.Context, name string) (*casebook.Account, error) {
	return tx.findAccount(ctx, `name = ?`, name)
}

func (tx *Tx) findAccount(ctx context.Context, cond string, arg any) (*casebook.Account, error) {
	row := tx.queryRow(ctx, `SELECT id, name, created_at FROM accounts WHERE `+cond, arg)
	a, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Account")
	}
	return a, tx.wrap("find account", err)
}

// FindAccounts returns every account, oldest first.
func (tx *Tx) FindAccounts(ctx context.Context) ([]*casebook.Account, error) {
	rows, err := tx.query(ctx, `SELECT id, name, created_at FROM accounts ORDER BY created_at, id`)
	if err != nil {
		return nil, tx.wrap("find accounts", err)
	}
	defer rows.Close()
	var accounts []*casebook.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, tx.wrap("scan account", err)
		}
		accounts = append(accounts, a)
	}
	return accounts, tx.wrap("find accounts", rows.Err())
}

func scanAccount(s scanner) (*casebook.Account, error) {
	var a casebook.Account
	if err := s.Scan(&a.ID, &a.Name, timeCol{&a.CreatedAt}); err != nil {
		return nil, err
	}
	return &a, nil
}

// FindAccountNames returns the names of the accounts with the given ids in
// one query. Ids are deduplicated first, so a page of tickets of a few
// accounts asks for a few rows; unknown ids are absent from the map.
func (tx *Tx) FindAccountNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := make(map[string]string)
	var distinct []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	if len(distinct) == 0 {
		return names, nil
	}
	rows, err := tx.query(ctx, `SELECT id, name FROM accounts WHERE id IN (`+placeholders(len(distinct))+`)`, anyArgs(distinct)...)
	if err != nil {
		return nil, tx.wrap("find account names", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, tx.wrap("scan account name", err)
		}
		names[id] = name
	}
	return names, tx.wrap("find account names", rows.Err())
}
