-- The operator's dictionary set of the ticket form (one JSON document,
-- replaced whole by casebook dictionary import), and the satisfaction
-- scores of tickets, given once per ticket.
CREATE TABLE dictionaries (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	document   TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE case_scores (
	account_id      TEXT NOT NULL,
	case_id         TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	satisfaction_id INTEGER NOT NULL,
	value           INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (case_id, satisfaction_id)
) STRICT;
