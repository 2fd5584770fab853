-- Live counts behind the customer lists of authorizations, so that a list
-- costs the same at a million rows as at ten thousand (docs/benchmarks.md).
-- Both count the authorizations whose ticket is not deleted, as the lists
-- show them, per account and ticket creator (the columns visibility is
-- decided on):
--   authorization_counts: in all, for the total of a list;
--   authorization_day_counts: per UTC day of created_at, so that a deep
--   offset starts skipping rows at the right day instead of at the newest.
-- Triggers keep both exact inside the writing transaction.
-- Every new authorization updates a row of each. n is in no index and the
-- pages are half empty, so the updates are HOT: no new index entries, and
-- the old row versions are pruned from the page without waiting for VACUUM.
CREATE TABLE authorization_counts (
	account_id      TEXT NOT NULL,
	case_creator_id TEXT NOT NULL,
	n               BIGINT NOT NULL,
	PRIMARY KEY (account_id, case_creator_id)
) WITH (fillfactor = 50);

CREATE TABLE authorization_day_counts (
	account_id      TEXT NOT NULL,
	day             BIGINT NOT NULL, -- whole days of created_at since 1970-01-01 UTC
	case_creator_id TEXT NOT NULL,
	n               BIGINT NOT NULL,
	PRIMARY KEY (account_id, day, case_creator_id)
) WITH (fillfactor = 50);
-- Sub-users' and groups' walks read their creators' days only.
CREATE INDEX authorization_day_counts_creator ON authorization_day_counts (account_id, case_creator_id, day);

-- The UTC day of a time (the epoch does not depend on the session's time
-- zone). A quoted body rather than a SQL-standard RETURN, which needs
-- PostgreSQL 14.
CREATE FUNCTION authorization_day(t TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE
	AS $$ SELECT floor(extract(epoch FROM t) / 86400)::BIGINT $$;

INSERT INTO authorization_counts (account_id, case_creator_id, n)
	SELECT account_id, case_creator_id, COUNT(*) FROM authorizations WHERE NOT case_deleted
	GROUP BY account_id, case_creator_id;
INSERT INTO authorization_day_counts (account_id, day, case_creator_id, n)
	SELECT account_id, authorization_day(created_at), case_creator_id, COUNT(*) FROM authorizations WHERE NOT case_deleted
	GROUP BY account_id, authorization_day(created_at), case_creator_id;

CREATE FUNCTION authorization_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.case_deleted THEN
		UPDATE authorization_counts SET n = n - 1
		WHERE account_id = OLD.account_id AND case_creator_id = OLD.case_creator_id;
		UPDATE authorization_day_counts SET n = n - 1
		WHERE account_id = OLD.account_id AND day = authorization_day(OLD.created_at)
			AND case_creator_id = OLD.case_creator_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.case_deleted THEN
		INSERT INTO authorization_counts (account_id, case_creator_id, n) VALUES (NEW.account_id, NEW.case_creator_id, 1)
		ON CONFLICT (account_id, case_creator_id) DO UPDATE SET n = authorization_counts.n + 1;
		INSERT INTO authorization_day_counts (account_id, day, case_creator_id, n)
		VALUES (NEW.account_id, authorization_day(NEW.created_at), NEW.case_creator_id, 1)
		ON CONFLICT (account_id, day, case_creator_id) DO UPDATE SET n = authorization_day_counts.n + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER authorization_counts_insert_delete AFTER INSERT OR DELETE ON authorizations
	FOR EACH ROW EXECUTE FUNCTION authorization_counts_apply();
CREATE TRIGGER authorization_counts_update AFTER UPDATE OF account_id, case_creator_id, case_deleted, created_at
	ON authorizations FOR EACH ROW
	WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.case_creator_id IS DISTINCT FROM NEW.case_creator_id
		OR OLD.case_deleted IS DISTINCT FROM NEW.case_deleted OR OLD.created_at IS DISTINCT FROM NEW.created_at)
	EXECUTE FUNCTION authorization_counts_apply();
