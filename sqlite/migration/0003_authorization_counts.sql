-- Live counts behind the customer lists of authorizations, so that a list
-- costs the same at a million rows as at ten thousand (docs/benchmarks.md).
-- Both count the authorizations whose ticket is not deleted, as the lists
-- show them, per account and ticket creator (the columns visibility is
-- decided on):
--   authorization_counts: in all, for the total of a list;
--   authorization_day_counts: per UTC day of created_at, so that a deep
--   offset starts skipping rows at the right day instead of at the newest.
-- Triggers keep both exact inside the writing transaction.
CREATE TABLE authorization_counts (
	account_id      TEXT NOT NULL,
	case_creator_id TEXT NOT NULL,
	n               INTEGER NOT NULL,
	PRIMARY KEY (account_id, case_creator_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE authorization_day_counts (
	account_id      TEXT NOT NULL,
	day             INTEGER NOT NULL, -- created_at / 86400000 (days since 1970-01-01)
	case_creator_id TEXT NOT NULL,
	n               INTEGER NOT NULL,
	PRIMARY KEY (account_id, day, case_creator_id)
) STRICT, WITHOUT ROWID;
-- Sub-users' and groups' walks read their creators' days only.
CREATE INDEX authorization_day_counts_creator ON authorization_day_counts (account_id, case_creator_id, day, n);

INSERT INTO authorization_counts (account_id, case_creator_id, n)
	SELECT account_id, case_creator_id, COUNT(*) FROM authorizations WHERE case_deleted = 0
	GROUP BY account_id, case_creator_id;
INSERT INTO authorization_day_counts (account_id, day, case_creator_id, n)
	SELECT account_id, created_at / 86400000, case_creator_id, COUNT(*) FROM authorizations WHERE case_deleted = 0
	GROUP BY account_id, created_at / 86400000, case_creator_id;

CREATE TRIGGER authorization_counts_insert AFTER INSERT ON authorizations WHEN NEW.case_deleted = 0
BEGIN
	INSERT INTO authorization_counts (account_id, case_creator_id, n) VALUES (NEW.account_id, NEW.case_creator_id, 1)
	ON CONFLICT (account_id, case_creator_id) DO UPDATE SET n = n + 1;
	INSERT INTO authorization_day_counts (account_id, day, case_creator_id, n)
	VALUES (NEW.account_id, NEW.created_at / 86400000, NEW.case_creator_id, 1)
	ON CONFLICT (account_id, day, case_creator_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER authorization_counts_delete AFTER DELETE ON authorizations WHEN OLD.case_deleted = 0
BEGIN
	UPDATE authorization_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND case_creator_id = OLD.case_creator_id;
	UPDATE authorization_day_counts SET n = n - 1
	WHERE account_id = OLD.account_id AND day = OLD.created_at / 86400000 AND case_creator_id = OLD.case_creator_id;
END;

CREATE TRIGGER authorization_counts_update
AFTER UPDATE OF account_id, case_creator_id, case_deleted, created_at ON authorizations
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.case_creator_id IS NOT NEW.case_creator_id
	OR OLD.case_deleted IS NOT NEW.case_deleted OR OLD.created_at IS NOT NEW.created_at
BEGIN
	UPDATE authorization_counts SET n = n - 1
	WHERE OLD.case_deleted = 0 AND account_id = OLD.account_id AND case_creator_id = OLD.case_creator_id;
	UPDATE authorization_day_counts SET n = n - 1
	WHERE OLD.case_deleted = 0 AND account_id = OLD.account_id AND day = OLD.created_at / 86400000
		AND case_creator_id = OLD.case_creator_id;
	INSERT INTO authorization_counts (account_id, case_creator_id, n)
	SELECT NEW.account_id, NEW.case_creator_id, 1 WHERE NEW.case_deleted = 0
	ON CONFLICT (account_id, case_creator_id) DO UPDATE SET n = n + 1;
	INSERT INTO authorization_day_counts (account_id, day, case_creator_id, n)
	SELECT NEW.account_id, NEW.created_at / 86400000, NEW.case_creator_id, 1 WHERE NEW.case_deleted = 0
	ON CONFLICT (account_id, day, case_creator_id) DO UPDATE SET n = n + 1;
END;
