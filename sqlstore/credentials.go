package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

// SetCredentials replaces the sealed credentials of an authorization. Each
// credential must name a detail of the authorization. Whether a detail
// holds one is read from this table (itemColumns), not stored beside the
// detail: a flag to keep would be two more B-trees to write on every
// confirmation (docs/benchmarks.md, finding 22).
func (tx *Tx) SetCredentials(ctx context.Context, authorizationID string, creds []casebook.Credential) error {
	// An authorization that does not exist has no details: the first
	// insert finds none (an empty list deletes nothing either way).
	if _, err := tx.exec(ctx, `DELETE FROM credentials WHERE authorization_id = ?`, authorizationID); err != nil {
		return tx.wrap("delete credentials", err)
	}
	for _, c := range creds {
		// INSERT ... SELECT checks that the detail is of this authorization.
		res, err := tx.exec(ctx, `INSERT INTO credentials (detail_id, account_id, authorization_id, port, account, sealed)
			SELECT d.id, d.account_id, d.authorization_id, ?, ?, ? FROM authorization_details d
			WHERE d.id = ? AND d.authorization_id = ?`,
			c.Port, c.Account, c.Sealed, c.DetailID, authorizationID)
		if err := tx.affected("insert credential", "Authorization detail", res, err); err != nil {
			return err
		}
	}
	return nil
}

// FindCredentials returns the sealed credentials of an authorization, in
// detail order; Password is left empty.
func (tx *Tx) FindCredentials(ctx context.Context, authorizationID string) ([]casebook.Credential, error) {
	rows, err := tx.query(ctx, `SELECT detail_id, port, account, sealed FROM credentials
		WHERE authorization_id = ? ORDER BY detail_id`, authorizationID)
	if err != nil {
		return nil, tx.wrap("find credentials", err)
	}
	defer rows.Close()
	var creds []casebook.Credential
	for rows.Next() {
		var c casebook.Credential
		if err := rows.Scan(&c.DetailID, &c.Port, &c.Account, &c.Sealed); err != nil {
			return nil, tx.wrap("scan credential", err)
		}
		creds = append(creds, c)
	}
	return creds, tx.wrap("find credentials", rows.Err())
}

// DestroyCredentials deletes the credential rows of an authorization and
// returns how many there were.
func (tx *Tx) DestroyCredentials(ctx context.Context, authorizationID string) (int, error) {
	res, err := tx.exec(ctx, `DELETE FROM credentials WHERE authorization_id = ?`, authorizationID)
	if err != nil {
		return 0, tx.wrap("delete credentials", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, tx.wrap("delete credentials", err)
	}
	return int(n), nil
}
