-- Labels: personal tags (a name unique per owner, a #RRGGBB colour) and
-- their links to tickets. Ids are integers because the SDK types them
-- int32.
CREATE TABLE labels (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	owner_id   TEXT NOT NULL,
	name       TEXT NOT NULL,
	color      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (owner_id, name)
) STRICT;
CREATE INDEX labels_owner ON labels (account_id, owner_id, id);

CREATE TABLE case_labels (
	case_id         TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	label_id        INTEGER NOT NULL REFERENCES labels (id) DEFERRABLE INITIALLY DEFERRED,
	case_created_at INTEGER NOT NULL, -- a copy of the ticket's (which never changes)
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (case_id, label_id)
) STRICT;
-- The label_id_list filter pages a label's tickets newest first from this
-- index alone (checking each ticket's scope by its key), and deleting a
-- label starts from it too.
CREATE INDEX case_labels_label ON case_labels (label_id, case_created_at, case_id);
