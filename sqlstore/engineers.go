package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/casebook/casebook"
)

const engineerColumns = `id, name, password_hash, enabled, epoch, email, created_at`

// CreateEngineer inserts an engineer; a taken name is ECONFLICT.
func (tx *Tx) CreateEngineer(ctx context.Context, e *casebook.Engineer) error {
	_, err := tx.exec(ctx, `INSERT INTO engineers (`+engineerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Name, e.PasswordHash, e.Enabled, e.Epoch, e.Email, tx.time(e.CreatedAt))
	return tx.wrap("insert engineer", err)
}

// FindEngineerByID returns the engineer or ENOTFOUND.
func (tx *Tx) FindEngineerByID(ctx context.Context, id string) (*casebook.Engineer, error) {
	return tx.findEngineer(ctx, `id = ?`, id)
}

// FindEngineerByName returns the engineer or ENOTFOUND.
func (tx *Tx) FindEngineerByName(ctx context.Context, name string) (*casebook.Engineer, error) {
	return tx.findEngineer(ctx, `name = ?`, name)
}

func (tx *Tx) findEngineer(ctx context.Context, cond string, arg any) (*casebook.Engineer, error) {
	e, err := scanEngineer(tx.queryRow(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Engineer")
	}
	return e, tx.wrap("find engineer", err)
}

// FindEngineers returns every engineer, oldest first.
func (tx *Tx) FindEngineers(ctx context.Context) ([]*casebook.Engineer, error) {
	rows, err := tx.query(ctx, `SELECT `+engineerColumns+` FROM engineers ORDER BY created_at, id`)
	if err != nil {
		return nil, tx.wrap("find engineers", err)
	}
	defer rows.Close()
	var engineers []*casebook.Engineer
	for rows.Next() {
		e, err := scanEngineer(rows)
		if err != nil {
			return nil, tx.wrap("scan engineer", err)
		}
		engineers = append(engineers, e)
	}
	return engineers, tx.wrap("find engineers", rows.Err())
}

// UpdateEngineer saves PasswordHash, Enabled, Epoch and Email.
func (tx *Tx) UpdateEngineer(ctx context.Context, e *casebook.Engineer) error {
	res, err := tx.exec(ctx, `UPDATE engineers SET password_hash = ?, enabled = ?, epoch = ?, email = ? WHERE id = ?`,
		e.PasswordHash, e.Enabled, e.Epoch, e.Email, e.ID)
	return tx.affected("update engineer", "Engineer", res, err)
}

func scanEngineer(s scanner) (*casebook.Engineer, error) {
	var e casebook.Engineer
	if err := s.Scan(&e.ID, &e.Name, &e.PasswordHash, &e.Enabled, &e.Epoch, &e.Email, timeCol{&e.CreatedAt}); err != nil {
		return nil, err
	}
	return &e, nil
}
