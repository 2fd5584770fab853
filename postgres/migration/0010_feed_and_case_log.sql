-- Issue 9 (the conversation feed and the ticket history).
--
-- case_events is the ticket's operation log (ListCaseOperateLogs): one row
-- per event, written in the transaction of the change it records, read in
-- id order per ticket. Append-only, like audit_events.
CREATE TABLE case_events (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id  TEXT NOT NULL,
	case_id     TEXT NOT NULL,
	kind        INTEGER NOT NULL,
	actor_realm TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	actor_name  TEXT NOT NULL,
	detail      TEXT NOT NULL,
	occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_events_case ON case_events (account_id, case_id, id);
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'case_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON case_events
	FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

-- message_reads holds each user's read marker per ticket: the messages up
-- to (read_at, read_id), in the feed's order, are read.
CREATE TABLE message_reads (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	read_at    TIMESTAMPTZ NOT NULL,
	read_id    TEXT NOT NULL,
	PRIMARY KEY (account_id, case_id, user_id)
);
