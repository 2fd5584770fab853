-- The transactional outbox: one row per event, written in the transaction
-- of the change it describes, and deleted in the transaction that turns it
-- into webhook deliveries. The table stays small and has no index but its
-- key, so writing an event touches one page. seq orders the outbox; id is
-- the event's stable id.
CREATE TABLE events (
	seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id               TEXT NOT NULL,
	type             TEXT NOT NULL,
	occurred_at      TIMESTAMPTZ NOT NULL,
	account_id       TEXT NOT NULL,
	case_id          TEXT NOT NULL,
	authorization_id TEXT NOT NULL,
	actor_realm      TEXT NOT NULL,
	actor_id         TEXT NOT NULL,
	actor_name       TEXT NOT NULL,
	data             TEXT NOT NULL
);

-- Webhook subscriptions of accounts; the secret is sealed.
CREATE TABLE webhooks (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	url           TEXT NOT NULL,
	event_types   TEXT NOT NULL,
	sealed_secret BYTEA NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_account ON webhooks (account_id, created_at);

-- One row per event and webhook: the delivery log and the retry queue.
-- event holds the event itself (JSON), as it is sent on every attempt.
CREATE TABLE deliveries (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	account_id   TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	event_type   TEXT NOT NULL,
	event        TEXT NOT NULL,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL,
	next_at      TIMESTAMPTZ NOT NULL,
	last_status  INTEGER NOT NULL,
	last_error   TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	delivered_at TIMESTAMPTZ,
	UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);

-- E-mails to send, one row per event and recipient, written when the event
-- is dispatched: the mail log and its retry queue.
CREATE TABLE mails (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id  TEXT NOT NULL,
	event_id    TEXT NOT NULL,
	event       TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	audience    TEXT NOT NULL,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL,
	next_at     TIMESTAMPTZ NOT NULL,
	last_error  TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	sent_at     TIMESTAMPTZ,
	UNIQUE (event_id, recipient)
);
CREATE INDEX mails_due ON mails (next_at) WHERE state = 'pending';
