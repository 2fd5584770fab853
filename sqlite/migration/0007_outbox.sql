-- The transactional outbox: one row per event, written in the transaction
-- of the change it describes, and deleted in the transaction that turns it
-- into webhook deliveries. The table stays small and has no index but its
-- key, so writing an event touches one page. seq orders the outbox; id is
-- the event's stable id.
CREATE TABLE events (
	seq              INTEGER PRIMARY KEY,
	id               TEXT NOT NULL,
	type             TEXT NOT NULL,
	occurred_at      INTEGER NOT NULL,
	account_id       TEXT NOT NULL,
	case_id          TEXT NOT NULL,
	authorization_id TEXT NOT NULL,
	actor_realm      TEXT NOT NULL,
	actor_id         TEXT NOT NULL,
	actor_name       TEXT NOT NULL,
	data             TEXT NOT NULL
) STRICT;

-- Webhook subscriptions of accounts; the secret is sealed.
CREATE TABLE webhooks (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	url           TEXT NOT NULL,
	event_types   TEXT NOT NULL,
	sealed_secret BLOB NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX webhooks_account ON webhooks (account_id, created_at);

-- One row per event and webhook: the delivery log and the retry queue.
-- event holds the event itself (JSON), as it is sent on every attempt.
CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	account_id   TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	event_type   TEXT NOT NULL,
	event        TEXT NOT NULL,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL,
	next_at      INTEGER NOT NULL,
	last_status  INTEGER NOT NULL,
	last_error   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	delivered_at INTEGER,
	UNIQUE (webhook_id, event_id)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);

-- E-mails to send, one row per event and recipient, written when the event
-- is dispatched: the mail log and its retry queue.
CREATE TABLE mails (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  TEXT NOT NULL,
	event_id    TEXT NOT NULL,
	event       TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	audience    TEXT NOT NULL,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL,
	next_at     INTEGER NOT NULL,
	last_error  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	sent_at     INTEGER,
	UNIQUE (event_id, recipient)
) STRICT;
CREATE INDEX mails_due ON mails (next_at) WHERE state = 'pending';
