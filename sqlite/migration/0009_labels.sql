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
	case_id    TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	label_id   INTEGER NOT NULL REFERENCES labels (id) DEFERRABLE INITIALLY DEFERRED,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (case_id, label_id)
) STRICT;
-- The label_id_list filter and deleting a label start from the label.
CREATE INDEX case_labels_label ON case_labels (label_id, case_id);
