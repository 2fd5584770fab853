package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

// CreateRelation links two tickets; an existing link is ECONFLICT.
func (tx *Tx) CreateRelation(ctx context.Context, r *casebook.Relation) error {
	_, err := tx.exec(ctx, `INSERT INTO relations (account_id, case_id, related_id, created_at) VALUES (?, ?, ?, ?)`,
		r.AccountID, r.CaseID, r.RelatedID, tx.time(r.CreatedAt))
	return tx.wrap("insert relation", err)
}

// FindRelations returns the relations of a ticket, oldest first, with the
// related tickets' description and creator name.
func (tx *Tx) FindRelations(ctx context.Context, accountID, caseID string) ([]*casebook.Relation, error) {
	rows, err := tx.query(ctx, `SELECT r.account_id, r.case_id, r.related_id, r.created_at, c.simple_description, c.creator_name
		FROM relations r JOIN cases c ON c.id = r.related_id
		WHERE r.account_id = ? AND r.case_id = ?
		ORDER BY r.created_at, r.related_id`, accountID, caseID)
	if err != nil {
		return nil, tx.wrap("find relations", err)
	}
	defer rows.Close()
	var relations []*casebook.Relation
	for rows.Next() {
		var r casebook.Relation
		if err := rows.Scan(&r.AccountID, &r.CaseID, &r.RelatedID, timeCol{&r.CreatedAt},
			&r.RelatedDescription, &r.RelatedCreatorName); err != nil {
			return nil, tx.wrap("scan relation", err)
		}
		relations = append(relations, &r)
	}
	return relations, tx.wrap("find relations", rows.Err())
}

// DeleteRelation removes a link; ENOTFOUND if there is none.
func (tx *Tx) DeleteRelation(ctx context.Context, accountID, caseID, relatedID string) error {
	res, err := tx.exec(ctx, `DELETE FROM relations WHERE account_id = ? AND case_id = ? AND related_id = ?`,
		accountID, caseID, relatedID)
	return tx.affected("delete relation", "Relation", res, err)
}
