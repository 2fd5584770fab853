package sqlstore

import (
	"context"
	"time"

	"github.com/casebook/casebook"
)

// The conversation feed: new messages of several tickets since a cursor,
// older messages of one, unread counts and read markers. Every query runs
// on the index messages_case (account_id, case_id, created_at, id): one
// range per ticket, in one statement however many tickets are named.

// caseArgs returns accountID followed by caseIDs, for "account_id = ? AND
// case_id IN (...)".
func caseArgs(accountID string, caseIDs []string) []any {
	args := make([]any, 0, len(caseIDs)+1)
	args = append(args, accountID)
	for _, id := range caseIDs {
		args = append(args, id)
	}
	return args
}

// FindCasesIn returns those of the tickets ids that are inside scope and
// not deleted, in one query by primary key, in no particular order.
func (tx *Tx) FindCasesIn(ctx context.Context, scope casebook.Scope, ids []string) ([]*casebook.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cond, scopeArgs := scopeCond("c.account_id", "c.creator_id", scope)
	args := make([]any, 0, len(ids)+1+len(scopeArgs))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(append(args, casebook.CaseStatusDeleted), scopeArgs...)
	rows, err := tx.query(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id IN (`+placeholders(len(ids))+`)
		AND c.status <> ? AND `+cond, args...)
	if err != nil {
		return nil, tx.wrap("find cases", err)
	}
	defer rows.Close()
	var cases []*casebook.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, tx.wrap("scan case", err)
		}
		cases = append(cases, c)
	}
	return cases, tx.wrap("find cases", rows.Err())
}

// FindNewMessages returns up to limit messages of the tickets after the
// cursor and created before the time, oldest first, with their
// attachments: one index range per ticket from the cursor. The cursor,
// the time and the limit are opaque to the planner (opaqueTime), which
// otherwise planned every poll again at a thousand messages a ticket.
func (tx *Tx) FindNewMessages(ctx context.Context, accountID string, caseIDs []string, after casebook.FeedCursor, before time.Time, limit int) ([]*casebook.Message, error) {
	if len(caseIDs) == 0 {
		return nil, nil
	}
	args := append(caseArgs(accountID, caseIDs), tx.time(after.At), tx.time(before), tx.time(after.At), after.ID, tx.limit(limit))
	messages, err := tx.scanMessages(ctx, "find new messages", `SELECT `+messageColumns+` FROM messages
		WHERE account_id = ? AND case_id IN (`+placeholders(len(caseIDs))+`)
		AND created_at >= `+tx.opaqueTime()+` AND created_at < `+tx.opaqueTime()+`
		AND (created_at > `+tx.opaqueTime()+` OR id > ?)
		ORDER BY created_at, id LIMIT `+tx.opaqueInt(), args...)
	if err != nil {
		return nil, err
	}
	return messages, tx.fillMessageAccessories(ctx, accountID, messages)
}

// FindOlderMessages returns up to limit messages of the ticket created
// before the given time, and those created at that very millisecond whose
// type is not boundaryType, newest first, with their attachments: one
// index range back from the time, which is opaque to the planner, as the
// limit (opaqueTime; PostgreSQL planned every call again at a thousand
// messages a ticket).
func (tx *Tx) FindOlderMessages(ctx context.Context, accountID, caseID string, before time.Time, boundaryType, limit int) ([]*casebook.Message, error) {
	messages, err := tx.scanMessages(ctx, "find older messages", `SELECT `+messageColumns+` FROM messages
		WHERE account_id = ? AND case_id = ? AND created_at <= `+tx.opaqueTime()+`
		AND (created_at < `+tx.opaqueTime()+` OR message_type <> ?)
		ORDER BY created_at DESC, id DESC LIMIT `+tx.opaqueInt(),
		accountID, caseID, tx.time(before), tx.time(before), boundaryType, tx.limit(limit))
	if err != nil {
		return nil, err
	}
	return messages, tx.fillMessageAccessories(ctx, accountID, messages)
}

// FindLatestMessage returns the newest message of the ticket.
func (tx *Tx) FindLatestMessage(ctx context.Context, accountID, caseID string) (*casebook.Message, error) {
	messages, err := tx.scanMessages(ctx, "find latest message", `SELECT `+messageColumns+` FROM messages
		WHERE account_id = ? AND case_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`, accountID, caseID)
	if err != nil {
		return nil, err
	} else if len(messages) == 0 {
		return nil, notFound("Message")
	}
	return messages[0], nil
}

// FindMessage returns one message of the ticket.
func (tx *Tx) FindMessage(ctx context.Context, accountID, caseID, id string) (*casebook.Message, error) {
	messages, err := tx.scanMessages(ctx, "find message", `SELECT `+messageColumns+` FROM messages
		WHERE account_id = ? AND case_id = ? AND id = ?`, accountID, caseID, id)
	if err != nil {
		return nil, err
	} else if len(messages) == 0 {
		return nil, notFound("Message")
	}
	return messages[0], tx.fillMessageAccessories(ctx, accountID, messages)
}

// CountUnread counts, per ticket, the messages of others after the user's
// read marker, in two statements whatever the number of tickets: the
// markers by primary key, each with the count of one index range that
// starts at the marker (so the cost is the unread messages, not the whole
// conversation); then the tickets without a marker from the per-author
// counts (a row per author). The texts depend on the number of tickets
// only, and the markers reach the count as columns, not as parameters:
// PostgreSQL plans the statements once and reuses the plan, where a
// parameter for each marker made it plan every call again at a million
// messages (it guessed a third of the ticket's messages past an unknown
// marker, so a generic plan looked too dear: docs/benchmarks.md).
func (tx *Tx) CountUnread(ctx context.Context, accountID, userID string, caseIDs []string) (map[string]int, error) {
	counts := make(map[string]int, len(caseIDs))
	if len(caseIDs) == 0 {
		return counts, nil
	}
	marked := make(map[string]bool, len(caseIDs))
	rows, err := tx.query(ctx, `SELECT r.case_id, (SELECT COUNT(*) FROM messages m
			WHERE m.account_id = r.account_id AND m.case_id = r.case_id AND m.created_at >= r.read_at
			  AND (m.created_at > r.read_at OR m.id > r.read_id) AND m.author_id <> r.user_id)
		FROM message_reads r WHERE r.account_id = ? AND r.case_id IN (`+placeholders(len(caseIDs))+`) AND r.user_id = ?`,
		append(caseArgs(accountID, caseIDs), userID)...)
	if err != nil {
		return nil, tx.wrap("count unread messages", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caseID string
		var n int
		if err := rows.Scan(&caseID, &n); err != nil {
			return nil, tx.wrap("scan unread count", err)
		}
		marked[caseID] = true
		if n > 0 {
			counts[caseID] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, tx.wrap("count unread messages", err)
	}
	rows.Close()

	var unmarked []string
	for _, id := range caseIDs {
		if !marked[id] {
			unmarked = append(unmarked, id)
		}
	}
	if len(unmarked) == 0 {
		return counts, nil
	}
	// Never marked: every message of others, from the per-author counts
	// (migration 0013).
	crows, err := tx.query(ctx, `SELECT case_id, CAST(SUM(n) AS BIGINT) FROM message_counts
		WHERE account_id = ? AND case_id IN (`+placeholders(len(unmarked))+`) AND author_id <> ? GROUP BY case_id`,
		append(caseArgs(accountID, unmarked), userID)...)
	if err != nil {
		return nil, tx.wrap("count unread messages", err)
	}
	defer crows.Close()
	for crows.Next() {
		var caseID string
		var n int
		if err := crows.Scan(&caseID, &n); err != nil {
			return nil, tx.wrap("scan unread count", err)
		}
		if n > 0 {
			counts[caseID] = n
		}
	}
	return counts, tx.wrap("count unread messages", crows.Err())
}

// SetReadMarker inserts or moves the user's read marker on the ticket.
func (tx *Tx) SetReadMarker(ctx context.Context, accountID, caseID, userID string, upTo casebook.FeedCursor) error {
	_, err := tx.exec(ctx, `INSERT INTO message_reads (account_id, case_id, user_id, read_at, read_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, case_id, user_id) DO UPDATE SET read_at = excluded.read_at, read_id = excluded.read_id`,
		accountID, caseID, userID, tx.time(upTo.At), upTo.ID)
	return tx.wrap("set read marker", err)
}

// DeleteMessage deletes a message and the attachments attached to it and
// returns their blob keys, for the caller to delete after commit.
func (tx *Tx) DeleteMessage(ctx context.Context, accountID, caseID, id string) ([]string, error) {
	keys, err := tx.queryIDs(ctx, "find attachments of message", `SELECT blob_key FROM accessories
		WHERE account_id = ? AND case_id = ? AND message_id = ?`, accountID, caseID, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM accessories WHERE account_id = ? AND case_id = ? AND message_id = ?`, accountID, caseID, id); err != nil {
		return nil, tx.wrap("delete attachments of message", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM messages WHERE account_id = ? AND case_id = ? AND id = ?`, accountID, caseID, id)
	if err := tx.affected("delete message", "Message", res, err); err != nil {
		return nil, err
	}
	return keys, nil
}
