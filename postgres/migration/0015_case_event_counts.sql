-- A live count of each ticket's history events, so that the total of a
-- history page (ListCaseOperateLogs) reads one row instead of counting
-- every event of the ticket, which grows with the ticket's life
-- (docs/benchmarks.md). The history is append-only; were its guard lifted
-- (a test), deletes still keep the count exact.
CREATE TABLE case_event_counts (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	n          BIGINT NOT NULL,
	PRIMARY KEY (account_id, case_id)
) WITH (fillfactor = 50);

INSERT INTO case_event_counts (account_id, case_id, n)
	SELECT account_id, case_id, COUNT(*) FROM case_events GROUP BY account_id, case_id;

-- Statement-level with transition tables, as migration 0013's counts: a
-- statement that appends many events of one ticket (a bulk load) adds to
-- its counter once, not once a row.
CREATE FUNCTION case_event_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO case_event_counts (account_id, case_id, n)
			SELECT account_id, case_id, -COUNT(*) FROM old_events GROUP BY account_id, case_id
			ON CONFLICT (account_id, case_id) DO UPDATE SET n = case_event_counts.n + EXCLUDED.n;
	ELSE
		INSERT INTO case_event_counts (account_id, case_id, n)
			SELECT account_id, case_id, COUNT(*) FROM new_events GROUP BY account_id, case_id
			ON CONFLICT (account_id, case_id) DO UPDATE SET n = case_event_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER case_event_counts_insert AFTER INSERT ON case_events REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION case_event_counts_apply();
CREATE TRIGGER case_event_counts_delete AFTER DELETE ON case_events REFERENCING OLD TABLE AS old_events
	FOR EACH STATEMENT EXECUTE FUNCTION case_event_counts_apply();
