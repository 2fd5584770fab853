-- Issue 9 (the conversation feed and the ticket history).
--
-- case_events is the ticket's operation log (ListCaseOperateLogs): one row
-- per event, written in the transaction of the change it records, read in
-- id order per ticket. Append-only, like audit_events.
CREATE TABLE case_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  TEXT NOT NULL,
	case_id     TEXT NOT NULL,
	kind        INTEGER NOT NULL,
	actor_realm TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	actor_name  TEXT NOT NULL,
	detail      TEXT NOT NULL,
	occurred_at INTEGER NOT NULL
) STRICT;
CREATE INDEX case_events_case ON case_events (account_id, case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
	SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
	SELECT RAISE(ABORT, 'case_events is append-only');
END;

-- message_reads holds each user's read marker per ticket: the messages up
-- to (read_at, read_id), in the feed's order, are read.
CREATE TABLE message_reads (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	read_at    INTEGER NOT NULL,
	read_id    TEXT NOT NULL,
	PRIMARY KEY (account_id, case_id, user_id)
) STRICT;

-- The history of tickets that existed before this migration, from what the
-- other tables kept: creation, messages (not the description, which is the
-- creation), attachments (with their message), relations, authorization
-- requests, confirmations and credential reads (from the audit log) and
-- how authorizations ended; in time order. Status changes and actions
-- before this migration were not kept anywhere and are not invented.
INSERT INTO case_events (account_id, case_id, kind, actor_realm, actor_id, actor_name, detail, occurred_at)
SELECT account_id, case_id, kind, actor_realm, actor_id, actor_name, detail, t FROM (
	SELECT account_id, id AS case_id, 0 AS kind, 'customer' AS actor_realm, creator_id AS actor_id,
		creator_name AS actor_name, '' AS detail, created_at AS t, 0 AS o FROM cases
	UNION ALL
	SELECT account_id, case_id, 1010, CASE message_type WHEN 0 THEN 'customer' ELSE 'engineer' END,
		author_id, author_name, id, created_at, 1 FROM messages WHERE is_first = FALSE
	UNION ALL
	SELECT a.account_id, a.case_id, 1020, 'customer', a.uploader_id, COALESCE(u.name, ''), a.file_name,
		COALESCE(m.created_at, a.created_at), 2
		FROM accessories a LEFT JOIN users u ON u.id = a.uploader_id LEFT JOIN messages m ON m.id = a.message_id
		WHERE a.case_id IS NOT NULL
	UNION ALL
	SELECT r.account_id, r.case_id, 1030, 'customer', c.creator_id, c.creator_name, r.related_id, r.created_at, 1
		FROM relations r JOIN cases c ON c.id = r.case_id
	UNION ALL
	SELECT account_id, case_id, 1050, 'engineer', engineer_id, engineer_name, id, created_at, 1 FROM authorizations
	UNION ALL
	SELECT account_id, case_id, CASE action WHEN 'credential.read' THEN 1053 ELSE 73 END, actor_realm,
		actor_id, actor_name, authorization_id, occurred_at, 3
		FROM audit_events WHERE action IN ('credential.read', 'authorization.confirmed') AND case_id <> ''
	UNION ALL
	SELECT account_id, case_id, CASE status WHEN 2 THEN 74 WHEN 3 THEN 1052 WHEN 4 THEN 1051 ELSE 83 END,
		CASE status WHEN 3 THEN 'system' WHEN 4 THEN 'engineer' ELSE 'customer' END,
		CASE status WHEN 3 THEN 'system' WHEN 4 THEN engineer_id ELSE handler_id END,
		CASE status WHEN 3 THEN 'expiry sweeper' WHEN 4 THEN engineer_name ELSE handler_name END,
		id, updated_at, 4 FROM authorizations WHERE status IN (2, 3, 4, 5)
) AS history
ORDER BY t, o;
