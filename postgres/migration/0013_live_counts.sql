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

CREATE FUNCTION label_case_counts_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE label_case_counts k SET n = k.n - 1 FROM cases c
		WHERE c.id = OLD.case_id AND c.status <> 13
		  AND k.label_id = OLD.label_id AND k.account_id = c.account_id AND k.case_creator_id = c.creator_id;
	ELSE
		INSERT INTO label_case_counts (label_id, account_id, case_creator_id, n)
			SELECT NEW.label_id, c.account_id, c.creator_id, 1 FROM cases c WHERE c.id = NEW.case_id AND c.status <> 13
			ON CONFLICT (label_id, account_id, case_creator_id) DO UPDATE SET n = label_case_counts.n + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER label_case_counts_link AFTER INSERT OR DELETE ON case_labels
	FOR EACH ROW EXECUTE FUNCTION label_case_counts_link();

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
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE message_counts SET n = n - 1
		WHERE account_id = OLD.account_id AND case_id = OLD.case_id AND author_id = OLD.author_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO message_counts (account_id, case_id, author_id, n) VALUES (NEW.account_id, NEW.case_id, NEW.author_id, 1)
		ON CONFLICT (account_id, case_id, author_id) DO UPDATE SET n = message_counts.n + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER message_counts_insert_delete AFTER INSERT OR DELETE ON messages
	FOR EACH ROW EXECUTE FUNCTION message_counts_apply();
CREATE TRIGGER message_counts_update AFTER UPDATE OF account_id, case_id, author_id ON messages FOR EACH ROW
	WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.case_id IS DISTINCT FROM NEW.case_id
		OR OLD.author_id IS DISTINCT FROM NEW.author_id)
	EXECUTE FUNCTION message_counts_apply();

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
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE case_status_counts SET n = n - 1
		WHERE account_id = OLD.account_id AND creator_id = OLD.creator_id AND status = OLD.status;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO case_status_counts (account_id, creator_id, status, n) VALUES (NEW.account_id, NEW.creator_id, NEW.status, 1)
		ON CONFLICT (account_id, creator_id, status) DO UPDATE SET n = case_status_counts.n + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER case_status_counts_insert_delete AFTER INSERT OR DELETE ON cases
	FOR EACH ROW EXECUTE FUNCTION case_status_counts_apply();
CREATE TRIGGER case_status_counts_update AFTER UPDATE OF account_id, creator_id, status ON cases FOR EACH ROW
	WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.creator_id IS DISTINCT FROM NEW.creator_id
		OR OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION case_status_counts_apply();
