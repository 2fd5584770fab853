package sqlstore

import (
	"context"

	"github.com/casebook/casebook"
)

// CreateMessage inserts a message of a ticket.
func (tx *Tx) CreateMessage(ctx context.Context, m *casebook.Message) error {
	_, err := tx.exec(ctx, `INSERT INTO messages (id, account_id, case_id, message_type, author_id, author_name,
		content, is_first, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.AccountID, m.CaseID, m.Type, m.AuthorID, m.AuthorName, m.Content, m.IsFirst, tx.time(m.CreatedAt))
	return tx.wrap("insert message", err)
}

// FindMessages returns one page of a ticket's messages, oldest first, with
// their attachments, and the total.
func (tx *Tx) FindMessages(ctx context.Context, f casebook.MessageFilter) ([]*casebook.Message, int, error) {
	total, err := tx.count(ctx, "count messages", `SELECT COUNT(*) FROM messages WHERE account_id = ? AND case_id = ?`, f.AccountID, f.CaseID)
	if err != nil || total == 0 {
		return nil, total, err
	}
	messages, err := tx.scanMessages(ctx, "find messages", `SELECT `+messageColumns+`
		FROM messages WHERE account_id = ? AND case_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?`,
		f.AccountID, f.CaseID, tx.limit(f.Limit), tx.offset(f.Offset))
	if err != nil {
		return nil, 0, err
	}
	return messages, total, tx.fillMessageAccessories(ctx, f.AccountID, messages)
}

// messageColumns are the columns scanMessages reads, in its order.
const messageColumns = `id, account_id, case_id, message_type, author_id, author_name, content, is_first, created_at`

// scanMessages runs a query selecting messageColumns.
func (tx *Tx) scanMessages(ctx context.Context, action, query string, args ...any) ([]*casebook.Message, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, tx.wrap(action, err)
	}
	defer rows.Close()
	var messages []*casebook.Message
	for rows.Next() {
		var m casebook.Message
		if err := rows.Scan(&m.ID, &m.AccountID, &m.CaseID, &m.Type, &m.AuthorID, &m.AuthorName, &m.Content,
			&m.IsFirst, timeCol{&m.CreatedAt}); err != nil {
			return nil, tx.wrap("scan message", err)
		}
		messages = append(messages, &m)
	}
	return messages, tx.wrap(action, rows.Err())
}

// fillMessageAccessories sets the Accessories of messages, in one query.
func (tx *Tx) fillMessageAccessories(ctx context.Context, accountID string, messages []*casebook.Message) error {
	if len(messages) == 0 {
		return nil
	}
	byID := make(map[string]*casebook.Message, len(messages))
	ids := make([]any, 0, len(messages)+1)
	ids = append(ids, accountID)
	for _, m := range messages {
		ids = append(ids, m.ID)
		byID[m.ID] = m
	}
	arows, err := tx.query(ctx, `SELECT id, file_name, message_id FROM accessories
		WHERE account_id = ? AND message_id IN (`+placeholders(len(messages))+`) ORDER BY created_at, id`, ids...)
	if err != nil {
		return tx.wrap("find accessories of messages", err)
	}
	defer arows.Close()
	for arows.Next() {
		var ref casebook.AccessoryRef
		var messageID string
		if err := arows.Scan(&ref.ID, &ref.FileName, &messageID); err != nil {
			return tx.wrap("scan accessory", err)
		}
		if m := byID[messageID]; m != nil {
			m.Accessories = append(m.Accessories, ref)
		}
	}
	return tx.wrap("find accessories of messages", arows.Err())
}
