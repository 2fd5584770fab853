-- Live counts behind the total of a ticket list filtered by one label, so
-- that it costs the same at a million tickets as at ten thousand
-- (docs/benchmarks.md): the labelled tickets that are not deleted, per
-- label, account and ticket creator (the columns visibility is decided
-- on). Triggers keep them exact inside the writing transaction; a ticket
-- is labelled after it is created, so the label's insert finds it.
CREATE TABLE label_case_counts (
	label_id        INTEGER NOT NULL,
	account_id      TEXT NOT NULL,
	case_creator_id TEXT NOT NULL,
	n               INTEGER NOT NULL,
	PRIMARY KEY (label_id, account_id, case_creator_id)
) STRICT, WITHOUT ROWID;

INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
	SELECT cl.label_id, c.account_id, c.creator_id, COUNT(*) FROM case_labels cl JOIN cases c ON c.id = cl.case_id
	WHERE c.status <> 13
	GROUP BY cl.label_id, c.account_id, c.creator_id;

CREATE TRIGGER label_case_counts_insert AFTER INSERT ON case_labels
BEGIN
	INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
		SELECT NEW.label_id, c.account_id, c.creator_id, 1 FROM cases c WHERE c.id = NEW.case_id AND c.status <> 13
		ON CONFLICT (label_id, account_id, case_creator_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER label_case_counts_delete AFTER DELETE ON case_labels
BEGIN
	UPDATE label_case_counts SET n = n - 1
	WHERE label_id = OLD.label_id AND (account_id, case_creator_id) =
		(SELECT c.account_id, c.creator_id FROM cases c WHERE c.id = OLD.case_id AND c.status <> 13);
END;

-- Deleting a ticket (status 13) takes its labels out of the counts;
-- restoring it puts them back.
CREATE TRIGGER label_case_counts_case_deleted AFTER UPDATE OF status ON cases
WHEN (OLD.status = 13) IS NOT (NEW.status = 13)
BEGIN
	UPDATE label_case_counts SET n = n + CASE WHEN NEW.status = 13 THEN -1 ELSE 1 END
	WHERE account_id = NEW.account_id AND case_creator_id = NEW.creator_id
		AND label_id IN (SELECT cl.label_id FROM case_labels cl WHERE cl.case_id = NEW.id);
	INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
		SELECT cl.label_id, NEW.account_id, NEW.creator_id, 1 FROM case_labels cl
		WHERE NEW.status <> 13 AND cl.case_id = NEW.id
		  AND NOT EXISTS (SELECT 1 FROM label_case_counts k WHERE k.label_id = cl.label_id
			AND k.account_id = NEW.account_id AND k.case_creator_id = NEW.creator_id);
END;

-- Live counts of each ticket's messages per author, so that the unread
-- count of a ticket its user never marked (every message of others) reads
-- a row per author instead of the whole conversation.
CREATE TABLE message_counts (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (account_id, case_id, author_id)
) STRICT, WITHOUT ROWID;

INSERT INTO message_counts (account_id, case_id, author_id, n)
	SELECT account_id, case_id, author_id, COUNT(*) FROM messages GROUP BY account_id, case_id, author_id;

CREATE TRIGGER message_counts_insert AFTER INSERT ON messages
BEGIN
	INSERT INTO message_counts (account_id, case_id, author_id, n) VALUES (NEW.account_id, NEW.case_id, NEW.author_id, 1)
	ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER message_counts_delete AFTER DELETE ON messages
BEGIN
	UPDATE message_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND case_id = OLD.case_id AND author_id = OLD.author_id;
END;

CREATE TRIGGER message_counts_update AFTER UPDATE OF account_id, case_id, author_id ON messages
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.case_id IS NOT NEW.case_id OR OLD.author_id IS NOT NEW.author_id
BEGIN
	UPDATE message_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND case_id = OLD.case_id AND author_id = OLD.author_id;
	INSERT INTO message_counts (account_id, case_id, author_id, n) VALUES (NEW.account_id, NEW.case_id, NEW.author_id, 1)
	ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = n + 1;
END;

-- Live counts of tickets per account, creator and status, so that
-- ListCaseCounts reads a few rows per creator instead of every ticket.
CREATE TABLE case_status_counts (
	account_id TEXT NOT NULL,
	creator_id TEXT NOT NULL,
	status     INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (account_id, creator_id, status)
) STRICT, WITHOUT ROWID;

INSERT INTO case_status_counts (account_id, creator_id, status, n)
	SELECT account_id, creator_id, status, COUNT(*) FROM cases GROUP BY account_id, creator_id, status;

CREATE TRIGGER case_status_counts_insert AFTER INSERT ON cases
BEGIN
	INSERT INTO case_status_counts (account_id, creator_id, status, n) VALUES (NEW.account_id, NEW.creator_id, NEW.status, 1)
	ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_status_counts_delete AFTER DELETE ON cases
BEGIN
	UPDATE case_status_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND creator_id = OLD.creator_id AND status = OLD.status;
END;

CREATE TRIGGER case_status_counts_update AFTER UPDATE OF account_id, creator_id, status ON cases
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.creator_id IS NOT NEW.creator_id OR OLD.status IS NOT NEW.status
BEGIN
	UPDATE case_status_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND creator_id = OLD.creator_id AND status = OLD.status;
	INSERT INTO case_status_counts (account_id, creator_id, status, n) VALUES (NEW.account_id, NEW.creator_id, NEW.status, 1)
	ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = n + 1;
END;
