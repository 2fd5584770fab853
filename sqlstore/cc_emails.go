package sqlstore

import (
	"context"
)

// SetCcEmails replaces the user's carbon-copy addresses by emails, in
// order; none clears them.
func (tx *Tx) SetCcEmails(ctx context.Context, accountID, userID string, emails []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM user_cc_emails WHERE account_id = ? AND user_id = ?`, accountID, userID); err != nil {
		return tx.wrap("delete cc emails", err)
	}
	for i, e := range emails {
		if _, err := tx.exec(ctx, `INSERT INTO user_cc_emails (account_id, user_id, position, email) VALUES (?, ?, ?, ?)`,
			accountID, userID, i, e); err != nil {
			return tx.wrap("insert cc email", err)
		}
	}
	return nil
}

// FindCcEmails returns the user's carbon-copy addresses in the order they
// were set; a user with none (or no such user) has an empty list.
func (tx *Tx) FindCcEmails(ctx context.Context, accountID, userID string) ([]string, error) {
	emails, err := tx.queryIDs(ctx, "find cc emails", `SELECT email FROM user_cc_emails WHERE account_id = ? AND user_id = ? ORDER BY position`, accountID, userID)
	if emails == nil && err == nil {
		emails = []string{}
	}
	return emails, err
}
