-- Live counts behind the total of a ticket list filtered by one label, so
-- that it costs the same at a million tickets as at ten thousand
-- (docs/benchmarks.md): the labelled tickets that are not deleted, per
-- label, account and ticket creator (the columns visibility is decided
-- on). Triggers keep them exact inside the writing transaction; a ticket
-- is labelled after it is created, so the label's insert finds it.
CREATE TABLE label_case_counts (
	label_id        BIGINT NOT NULL,
	account_id      TEXT NOT NULL,
	case_creator_id TEXT NOT NULL,
	n               BIGINT NOT NULL,
	PRIMARY KEY (label_id, account_id, case_creator_id)
) WITH (fillfactor = 50);

INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
	SELECT cl.label_id, c.account_id, c.creator_id, COUNT(*) FROM case_labels cl JOIN cases c ON c.id = cl.case_id
	WHERE c.status <> 13
	GROUP BY cl.label_id, c.account_id, c.creator_id;

-- Statement-level triggers with transition tables: a statement that
-- links many tickets (a bulk load, a label's deletion) adds to each counter
-- once, not once a row (row-level updates of one counter inside one
-- transaction grow a chain of row versions that every next update walks).
CREATE FUNCTION label_case_counts_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
			SELECT o.label_id, c.account_id, c.creator_id, -COUNT(*) FROM old_links o JOIN cases c ON c.id = o.case_id
			WHERE c.status <> 13 GROUP BY o.label_id, c.account_id, c.creator_id
			ON CONFLICT (label_id, account_id, case_creator_id) DO UPDATE SET n = label_case_counts.n + EXCLUDED.n;
	ELSE
		INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
			SELECT l.label_id, c.account_id, c.creator_id, COUNT(*) FROM new_links l JOIN cases c ON c.id = l.case_id
			WHERE c.status <> 13 GROUP BY l.label_id, c.account_id, c.creator_id
			ON CONFLICT (label_id, account_id, case_creator_id) DO UPDATE SET n = label_case_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER label_case_counts_insert AFTER INSERT ON case_labels REFERENCING NEW TABLE AS new_links
	FOR EACH STATEMENT EXECUTE FUNCTION label_case_counts_link();
CREATE TRIGGER label_case_counts_delete AFTER DELETE ON case_labels REFERENCING OLD TABLE AS old_links
	FOR EACH STATEMENT EXECUTE FUNCTION label_case_counts_link();

-- Deleting a ticket (status 13) takes its labels out of the counts;
-- restoring it puts them back.
CREATE FUNCTION label_case_counts_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
		SELECT cl.label_id, NEW.account_id, NEW.creator_id, CASE WHEN NEW.status = 13 THEN -1 ELSE 1 END
		FROM case_labels cl WHERE cl.case_id = NEW.id
		ON CONFLICT (label_id, account_id, case_creator_id) DO UPDATE SET n = label_case_counts.n + EXCLUDED.n;
	RETURN NULL;
END;
$$;

CREATE TRIGGER label_case_counts_case AFTER UPDATE OF status ON cases FOR EACH ROW
	WHEN ((OLD.status = 13) IS DISTINCT FROM (NEW.status = 13))
	EXECUTE FUNCTION label_case_counts_case();

-- Live counts of each ticket's messages per author, so that the unread
-- count of a ticket its user never marked (every message of others) reads
-- a row per author instead of the whole conversation.
CREATE TABLE message_counts (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	n          BIGINT NOT NULL,
	PRIMARY KEY (account_id, case_id, author_id)
) WITH (fillfactor = 50);

INSERT INTO message_counts (account_id, case_id, author_id, n)
	SELECT account_id, case_id, author_id, COUNT(*) FROM messages GROUP BY account_id, case_id, author_id;

CREATE FUNCTION message_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO message_counts (account_id, case_id, author_id, n)
			SELECT account_id, case_id, author_id, -COUNT(*) FROM old_messages GROUP BY account_id, case_id, author_id
			ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = message_counts.n + EXCLUDED.n;
	ELSE
		INSERT INTO message_counts (account_id, case_id, author_id, n)
			SELECT account_id, case_id, author_id, COUNT(*) FROM new_messages GROUP BY account_id, case_id, author_id
			ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = message_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END;
$$;

-- Statement-level, as label_case_counts' (a bulk load adds once a counter).
CREATE TRIGGER message_counts_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_messages
	FOR EACH STATEMENT EXECUTE FUNCTION message_counts_apply();
CREATE TRIGGER message_counts_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_messages
	FOR EACH STATEMENT EXECUTE FUNCTION message_counts_apply();

-- Messages do not move; if one did, it moves between counters.
CREATE FUNCTION message_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE message_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND case_id = OLD.case_id AND author_id = OLD.author_id;
	INSERT INTO message_counts (account_id, case_id, author_id, n) VALUES (NEW.account_id, NEW.case_id, NEW.author_id, 1)
	ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = message_counts.n + 1;
	RETURN NULL;
END;
$$;
CREATE TRIGGER message_counts_update AFTER UPDATE OF account_id, case_id, author_id ON messages FOR EACH ROW
	WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.case_id IS DISTINCT FROM NEW.case_id
		OR OLD.author_id IS DISTINCT FROM NEW.author_id)
	EXECUTE FUNCTION message_counts_move();

-- Live counts of tickets per account, creator and status, so that
-- ListCaseCounts reads a few rows per creator instead of every ticket.
CREATE TABLE case_status_counts (
	account_id TEXT NOT NULL,
	creator_id TEXT NOT NULL,
	status     INTEGER NOT NULL,
	n          BIGINT NOT NULL,
	PRIMARY KEY (account_id, creator_id, status)
) WITH (fillfactor = 50);

INSERT INTO case_status_counts (account_id, creator_id, status, n)
	SELECT account_id, creator_id, status, COUNT(*) FROM cases GROUP BY account_id, creator_id, status;

CREATE FUNCTION case_status_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO case_status_counts (account_id, creator_id, status, n)
			SELECT account_id, creator_id, status, -COUNT(*) FROM old_cases GROUP BY account_id, creator_id, status
			ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = case_status_counts.n + EXCLUDED.n;
	ELSE
		INSERT INTO case_status_counts (account_id, creator_id, status, n)
			SELECT account_id, creator_id, status, COUNT(*) FROM new_cases GROUP BY account_id, creator_id, status
			ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = case_status_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END;
$$;

-- Statement-level, as label_case_counts' (a bulk load adds once a counter).
CREATE TRIGGER case_status_counts_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases
	FOR EACH STATEMENT EXECUTE FUNCTION case_status_counts_apply();
CREATE TRIGGER case_status_counts_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_cases
	FOR EACH STATEMENT EXECUTE FUNCTION case_status_counts_apply();

-- A ticket's status changes one row at a time.
CREATE FUNCTION case_status_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_status_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND creator_id = OLD.creator_id AND status = OLD.status;
	INSERT INTO case_status_counts (account_id, creator_id, status, n) VALUES (NEW.account_id, NEW.creator_id, NEW.status, 1)
	ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = case_status_counts.n + 1;
	RETURN NULL;
END;
$$;
CREATE TRIGGER case_status_counts_update AFTER UPDATE OF account_id, creator_id, status ON cases FOR EACH ROW
	WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.creator_id IS DISTINCT FROM NEW.creator_id
		OR OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION case_status_counts_move();
