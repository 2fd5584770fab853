package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/casebook/casebook"
)

// FindDictionaries returns the operator's dictionary document.
func (tx *Tx) FindDictionaries(ctx context.Context) ([]byte, error) {
	var doc string
	err := tx.queryRow(ctx, `SELECT document FROM dictionaries WHERE id = 1`).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, casebook.NotFoundf("No dictionaries have been imported.")
	} else if err != nil {
		return nil, tx.wrap("find dictionaries", err)
	}
	return []byte(doc), nil
}

// SaveDictionaries replaces the dictionary document.
func (tx *Tx) SaveDictionaries(ctx context.Context, document []byte, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO dictionaries (id, document, updated_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
		string(document), tx.time(at))
	return tx.wrap("save dictionaries", err)
}

// CreateScores stores a ticket's scores; the primary key refuses a second
// score of a dimension, and a ticket with scores is refused before.
func (tx *Tx) CreateScores(ctx context.Context, accountID, caseID string, scores []casebook.Score, at time.Time) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_scores WHERE account_id = ? AND case_id = ?`, accountID, caseID).Scan(&n); err != nil {
		return tx.wrap("count scores", err)
	} else if n > 0 {
		return casebook.Errorf(casebook.ECONFLICT, "This case has already been rated.")
	}
	for _, s := range scores {
		if _, err := tx.exec(ctx, `INSERT INTO case_scores (account_id, case_id, satisfaction_id, value, created_at) VALUES (?, ?, ?, ?, ?)`,
			accountID, caseID, s.DimensionID, s.Value, tx.time(at)); err != nil {
			return tx.wrap("insert score", err)
		}
	}
	return nil
}

// FindScores returns a ticket's scores by dimension id.
func (tx *Tx) FindScores(ctx context.Context, accountID, caseID string) ([]casebook.Score, error) {
	rows, err := tx.query(ctx, `SELECT satisfaction_id, value FROM case_scores WHERE account_id = ? AND case_id = ? ORDER BY satisfaction_id`,
		accountID, caseID)
	if err != nil {
		return nil, tx.wrap("find scores", err)
	}
	defer rows.Close()
	scores := []casebook.Score{}
	for rows.Next() {
		var s casebook.Score
		if err := rows.Scan(&s.DimensionID, &s.Value); err != nil {
			return nil, tx.wrap("scan score", err)
		}
		scores = append(scores, s)
	}
	return scores, tx.wrap("find scores", rows.Err())
}
