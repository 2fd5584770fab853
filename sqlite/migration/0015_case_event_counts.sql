-- A live count of each ticket's history events, so that the total of a
-- history page (ListCaseOperateLogs) reads one row instead of counting
-- every event of the ticket, which grows with the ticket's life
-- (docs/benchmarks.md). The history is append-only; were its guard lifted
-- (the reset, a test), deletes still keep the count exact.
CREATE TABLE case_event_counts (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (account_id, case_id)
) STRICT, WITHOUT ROWID;

INSERT INTO case_event_counts (account_id, case_id, n)
	SELECT account_id, case_id, COUNT(*) FROM case_events GROUP BY account_id, case_id;

CREATE TRIGGER case_event_counts_insert AFTER INSERT ON case_events
BEGIN
	INSERT INTO case_event_counts (account_id, case_id, n) VALUES (NEW.account_id, NEW.case_id, 1)
	ON CONFLICT (account_id, case_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_event_counts_delete AFTER DELETE ON case_events
BEGIN
	UPDATE case_event_counts SET n = n - 1 WHERE account_id = OLD.account_id AND case_id = OLD.case_id;
END;
