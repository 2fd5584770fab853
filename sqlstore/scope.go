package sqlstore

import "github.com/casebook/casebook"

// scopeCond returns the SQL condition that a row whose account and ticket
// creator are in accountCol and creatorCol is visible within s: always one
// account; then all of it, or the tickets created by s.UserID, plus those
// created by the current members of s.GroupID if s.UserID is one of them.
// An empty account or user matches nothing.
func scopeCond(accountCol, creatorCol string, s casebook.Scope) (string, []any) {
	if s.All {
		return accountCol + " = ?", []any{s.AccountID}
	}
	if s.GroupID == "" {
		return accountCol + " = ? AND " + creatorCol + " = ?", []any{s.AccountID, s.UserID}
	}
	// One IN list rather than "creator = ? OR creator IN (...)": engines
	// can then count from the per-creator index, member by member.
	return accountCol + " = ? AND " + creatorCol + ` IN (
		SELECT CAST(? AS TEXT)
		UNION
		SELECT m.user_id FROM group_members m
		WHERE m.group_id = ? AND m.account_id = ?
		  AND EXISTS (SELECT 1 FROM group_members me WHERE me.group_id = m.group_id AND me.user_id = ?))`,
		[]any{s.AccountID, s.UserID, s.GroupID, s.AccountID, s.UserID}
}
