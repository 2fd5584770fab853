package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casebook/casebook"
)

const eventColumns = `seq, id, type, occurred_at, account_id, case_id, authorization_id, actor_realm, actor_id, actor_name, data`

const eventInsert = `INSERT INTO events (id, type, occurred_at, account_id, case_id, authorization_id,
	actor_realm, actor_id, actor_name, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (tx *Tx) eventValues(e *casebook.Event) []any {
	return []any{e.ID, e.Type, tx.time(e.At), e.AccountID, e.CaseID, e.AuthorizationID,
		string(e.ActorRealm), e.ActorID, e.ActorName, encodeEventData(e.Data)}
}

// AppendEvent adds the event to the outbox and sets its Seq; in a group's
// writer, once the group's rows are inserted (journalBatch). It is on the
// path of every request that changes something a person cares about, so
// it is kept cheap: the data is encoded by hand, and the seq comes from
// insertID.
func (tx *Tx) AppendEvent(ctx context.Context, e *casebook.Event) error {
	if tx.journals != nil {
		tx.journals.events = append(tx.journals.events, e)
		return nil
	}
	var err error
	e.Seq, err = tx.insertID(ctx, eventInsert, "seq", tx.eventValues(e)...)
	return tx.wrap("append event", err)
}

// encodeEventData encodes an event's data as a JSON object with sorted
// keys, as json.Marshal does, without reflection; strings that are not
// valid UTF-8 take json.Marshal's path (which replaces bad bytes).
func encodeEventData(data map[string]string) string {
	if len(data) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(data))
	for k, v := range data {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			b, _ := json.Marshal(data) // a map of strings always encodes
			return string(b)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, data[k])
	}
	return string(append(b, '}'))
}

// appendJSONString appends s, valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// ClaimEvents returns up to limit events of the outbox, oldest first,
// locked inside Write with SKIP LOCKED on engines with row locks.
func (tx *Tx) ClaimEvents(ctx context.Context, limit int) ([]*casebook.Event, error) {
	lock := tx.skipLocked()
	rows, err := tx.query(ctx, `SELECT `+eventColumns+` FROM events ORDER BY seq LIMIT ?`+lock, tx.limit(limit))
	if err != nil {
		return nil, tx.wrap("claim events", err)
	}
	defer rows.Close()
	var events []*casebook.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, tx.wrap("scan event", err)
		}
		events = append(events, e)
	}
	return events, tx.wrap("claim events", rows.Err())
}

// DeleteEvents removes the events from the outbox.
func (tx *Tx) DeleteEvents(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	_, err := tx.exec(ctx, `DELETE FROM events WHERE seq IN (`+placeholders(len(seqs))+`)`, args...)
	return tx.wrap("delete events", err)
}

func scanEvent(row scanner) (*casebook.Event, error) {
	var e casebook.Event
	var realm, data string
	if err := row.Scan(&e.Seq, &e.ID, &e.Type, timeCol{&e.At}, &e.AccountID, &e.CaseID, &e.AuthorizationID,
		&realm, &e.ActorID, &e.ActorName, &data); err != nil {
		return nil, err
	}
	e.ActorRealm = casebook.Realm(realm)
	var err error
	if e.Data, err = decodeEventData(data); err != nil {
		return nil, err
	}
	return &e, nil
}

// decodeEventData parses an event's data, a JSON object of strings as
// encodeEventData writes it, without reflection: the dispatcher decodes
// every event in the writer's transaction, where encoding/json took about
// 2.5 µs an event and this takes 0.4 (docs/benchmarks.md, finding 29).
// Any JSON whitespace and escape is accepted, and null is "" as
// encoding/json has it; anything else but an object of strings is an
// error. An empty object is nil.
func decodeEventData(s string) (map[string]string, error) {
	p := itemParser{s: s, what: "event data"}
	var data map[string]string
	p.elements('{', '}', func() {
		if data == nil {
			data = make(map[string]string, 4)
		}
		k := p.str()
		p.expect(':')
		if p.peek() == 'n' && strings.HasPrefix(p.s[p.i:], "null") {
			p.i += len("null") // "" to encoding/json too
			data[k] = ""
		} else {
			data[k] = p.str()
		}
	})
	if err := p.end(); err != nil {
		return nil, err
	}
	return data, nil
}

const webhookColumns = `id, account_id, url, event_types, sealed_secret, created_at`

// CreateWebhook inserts the subscription.
func (tx *Tx) CreateWebhook(ctx context.Context, w *casebook.Webhook) error {
	_, err := tx.exec(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		w.ID, w.AccountID, w.URL, strings.Join(w.EventTypes, ","), w.SealedSecret, tx.time(w.CreatedAt))
	return tx.wrap("insert webhook", err)
}

// FindWebhook returns the account's webhook or ENOTFOUND.
func (tx *Tx) FindWebhook(ctx context.Context, accountID, id string) (*casebook.Webhook, error) {
	w, err := scanWebhook(tx.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE account_id = ? AND id = ?`, accountID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Webhook")
	}
	return w, tx.wrap("find webhook", err)
}

// FindWebhooks returns the account's webhooks, oldest first.
func (tx *Tx) FindWebhooks(ctx context.Context, accountID string) ([]*casebook.Webhook, error) {
	rows, err := tx.query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, tx.wrap("find webhooks", err)
	}
	defer rows.Close()
	var ws []*casebook.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, tx.wrap("scan webhook", err)
		}
		ws = append(ws, w)
	}
	return ws, tx.wrap("find webhooks", rows.Err())
}

// DeleteWebhook removes the account's webhook and its deliveries.
func (tx *Tx) DeleteWebhook(ctx context.Context, accountID, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM deliveries WHERE account_id = ? AND webhook_id = ?`, accountID, id); err != nil {
		return tx.wrap("delete deliveries", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM webhooks WHERE account_id = ? AND id = ?`, accountID, id)
	return tx.affected("delete webhook", "Webhook", res, err)
}

func scanWebhook(row scanner) (*casebook.Webhook, error) {
	var w casebook.Webhook
	var types string
	if err := row.Scan(&w.ID, &w.AccountID, &w.URL, &types, &w.SealedSecret, timeCol{&w.CreatedAt}); err != nil {
		return nil, err
	}
	if types != "" {
		w.EventTypes = strings.Split(types, ",")
	}
	return &w, nil
}

const deliveryColumns = `id, webhook_id, account_id, event_id, event_type, event, state, attempts, next_at, last_status,
	last_error, created_at, updated_at, delivered_at`

// storedEvent is how a delivery keeps its event (the deliveries.event
// column).
type storedEvent struct {
	Seq             int64             `json:"seq"`
	ID              string            `json:"id"`
	Type            string            `json:"type"`
	At              time.Time         `json:"at"`
	AccountID       string            `json:"account_id"`
	CaseID          string            `json:"case_id,omitempty"`
	AuthorizationID string            `json:"authorization_id,omitempty"`
	ActorRealm      string            `json:"actor_realm"`
	ActorID         string            `json:"actor_id"`
	ActorName       string            `json:"actor_name"`
	Data            map[string]string `json:"data,omitempty"`
}

// CreateDelivery inserts the delivery with its event and sets its ID.
func (tx *Tx) CreateDelivery(ctx context.Context, d *casebook.Delivery) error {
	event, err := encodeEvent(d.Event)
	if err != nil {
		return fmt.Errorf("insert delivery: %w", err)
	}
	err = tx.queryRow(ctx, `INSERT INTO deliveries (webhook_id, account_id, event_id, event_type, event, state, attempts,
		next_at, last_status, last_error, created_at, updated_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.WebhookID, d.AccountID, d.EventID, d.EventType, event, d.State, d.Attempts, tx.time(d.NextAt), d.LastStatus,
		d.LastError, tx.time(d.CreatedAt), tx.time(d.UpdatedAt), tx.nullTime(d.DeliveredAt)).Scan(&d.ID)
	return tx.wrap("insert delivery", err)
}

// FindDelivery returns the account's delivery or ENOTFOUND.
func (tx *Tx) FindDelivery(ctx context.Context, accountID string, id int64) (*casebook.Delivery, error) {
	d, err := scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE account_id = ? AND id = ?`+tx.rowLock(" FOR UPDATE"), accountID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Delivery")
	}
	return d, tx.wrap("find delivery", err)
}

// FindDeliveries returns the deliveries f selects, newest first.
func (tx *Tx) FindDeliveries(ctx context.Context, f casebook.DeliveryFilter) ([]*casebook.Delivery, error) {
	var conds []string
	var args []any
	if f.AccountID != "" {
		conds, args = append(conds, "account_id = ?"), append(args, f.AccountID)
	}
	if f.WebhookID != "" {
		conds, args = append(conds, "webhook_id = ?"), append(args, f.WebhookID)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, f.State)
	}
	return tx.queryDeliveries(ctx, `SELECT `+deliveryColumns+` FROM deliveries`+where(conds)+` ORDER BY id DESC LIMIT ?`,
		append(args, tx.limit(f.Limit))...)
}

// ClaimDeliveries returns up to limit due pending deliveries, soonest
// first, locked inside Write with SKIP LOCKED on engines with row locks.
func (tx *Tx) ClaimDeliveries(ctx context.Context, now time.Time, limit int) ([]*casebook.Delivery, error) {
	lock := tx.skipLocked()
	// The state is written literally: it selects the partial index.
	return tx.queryDeliveries(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE state = '`+casebook.DeliveryPending+`' AND next_at <= ? ORDER BY next_at, id LIMIT ?`+lock,
		tx.time(now), tx.limit(limit))
}

// UpdateDelivery saves the delivery's progress.
func (tx *Tx) UpdateDelivery(ctx context.Context, d *casebook.Delivery) error {
	res, err := tx.exec(ctx, `UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ?,
		updated_at = ?, delivered_at = ? WHERE id = ?`,
		d.State, d.Attempts, tx.time(d.NextAt), d.LastStatus, d.LastError, tx.time(d.UpdatedAt), tx.nullTime(d.DeliveredAt), d.ID)
	return tx.affected("update delivery", "Delivery", res, err)
}

func (tx *Tx) queryDeliveries(ctx context.Context, query string, args ...any) ([]*casebook.Delivery, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, tx.wrap("find deliveries", err)
	}
	defer rows.Close()
	var ds []*casebook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, tx.wrap("scan delivery", err)
		}
		ds = append(ds, d)
	}
	return ds, tx.wrap("find deliveries", rows.Err())
}

func scanDelivery(row scanner) (*casebook.Delivery, error) {
	var d casebook.Delivery
	var event string
	if err := row.Scan(&d.ID, &d.WebhookID, &d.AccountID, &d.EventID, &d.EventType, &event, &d.State, &d.Attempts,
		timeCol{&d.NextAt}, &d.LastStatus, &d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt},
		nullTimeCol{&d.DeliveredAt}); err != nil {
		return nil, err
	}
	e, err := decodeEvent(event)
	if err != nil {
		return nil, err
	}
	d.Event = e
	return &d, nil
}
