-- Casebook schema for SQLite. Times are INTEGER unix milliseconds (UTC),
-- booleans INTEGER 0/1. Every table holding customer data has account_id.
-- Foreign keys are checked at commit, so rows of one transaction may be
-- written in any order.
--
-- Indexes on times are ascending: new rows append at the right edge, which
-- keeps pages full; newest-first lists scan them backwards.

CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	is_master     INTEGER NOT NULL,
	enabled       INTEGER NOT NULL,
	epoch         INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	UNIQUE (account_id, name)
) STRICT;

CREATE TABLE user_groups (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (account_id, name)
) STRICT;

CREATE TABLE group_members (
	account_id TEXT NOT NULL,
	group_id   TEXT NOT NULL REFERENCES user_groups (id) DEFERRABLE INITIALLY DEFERRED,
	user_id    TEXT NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
	PRIMARY KEY (group_id, user_id)
) STRICT;
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE engineers (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	enabled       INTEGER NOT NULL,
	epoch         INTEGER NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE access_keys (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL,
	user_id           TEXT NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
	secret_ciphertext BLOB NOT NULL,
	enabled           INTEGER NOT NULL,
	created_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX access_keys_user ON access_keys (user_id, created_at);

CREATE TABLE cases (
	id                   TEXT PRIMARY KEY,
	account_id           TEXT NOT NULL REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
	creator_id           TEXT NOT NULL, -- no reference: tickets outlive their creator
	creator_name         TEXT NOT NULL,
	business_type_id     TEXT NOT NULL,
	incident_sub_type_id TEXT NOT NULL,
	product_category_id  TEXT NOT NULL,
	region_id            TEXT NOT NULL,
	project_id           TEXT NOT NULL,
	severity_id          TEXT NOT NULL,
	source_id            TEXT NOT NULL,
	simple_description   TEXT NOT NULL,
	remind_mobile        TEXT NOT NULL,
	remind_mail          TEXT NOT NULL,
	remind_time          TEXT NOT NULL,
	area_code            TEXT NOT NULL,
	extends_map          TEXT NOT NULL, -- JSON object
	status               INTEGER NOT NULL,
	assignee_id          TEXT NOT NULL,
	assignee_name        TEXT NOT NULL,
	judgement            TEXT NOT NULL,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL,
	confirmed_at         INTEGER,
	last_urged_at        INTEGER
) STRICT;
-- Lists of an account (master user), newest first; status is in the index
-- so that hiding deleted tickets needs no table lookup.
CREATE INDEX cases_account_created ON cases (account_id, created_at, id, status, creator_id);
-- Lists of a sub-user (and their group's members).
CREATE INDEX cases_account_creator ON cases (account_id, creator_id, created_at, id, status);
CREATE INDEX cases_account_creator_name ON cases (account_id, creator_name);
-- Customer lists filtered by status.
CREATE INDEX cases_account_status ON cases (account_id, status, created_at, id);
-- The engineers' queue.
CREATE INDEX cases_status_created ON cases (status, created_at, id);
CREATE INDEX cases_created ON cases (created_at, id, status);
CREATE INDEX cases_assignee ON cases (assignee_id, created_at);

CREATE TABLE messages (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL,
	case_id      TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	message_type INTEGER NOT NULL,
	author_id    TEXT NOT NULL,
	author_name  TEXT NOT NULL,
	content      TEXT NOT NULL,
	is_first     INTEGER NOT NULL,
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_case ON messages (account_id, case_id, created_at, id);

CREATE TABLE accessories (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL,
	uploader_id  TEXT NOT NULL,
	file_name    TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	blob_key     TEXT NOT NULL,
	upload_from  TEXT NOT NULL,
	upload_type  INTEGER NOT NULL,
	case_id      TEXT REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED, -- NULL while unattached
	message_id   TEXT,                                                     -- NULL unless attached to a message
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX accessories_case ON accessories (case_id);
CREATE INDEX accessories_message ON accessories (message_id);
CREATE INDEX accessories_uploader_created ON accessories (uploader_id, created_at);

CREATE TABLE relations (
	account_id TEXT NOT NULL,
	case_id    TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	related_id TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (case_id, related_id)
) STRICT;
CREATE INDEX relations_related ON relations (related_id);

CREATE TABLE authorizations (
	id                     TEXT PRIMARY KEY,
	account_id             TEXT NOT NULL,
	case_id                TEXT NOT NULL REFERENCES cases (id) DEFERRABLE INITIALLY DEFERRED,
	-- Copies of the ticket's creator (immutable) and of whether it is
	-- deleted (kept by UpdateCase), so visibility needs no join.
	case_creator_id        TEXT NOT NULL,
	case_deleted           INTEGER NOT NULL,
	status                 INTEGER NOT NULL,
	resource_type_id       TEXT NOT NULL,
	visit_type_id          TEXT NOT NULL,
	content_type_id        TEXT NOT NULL,
	request_describe       TEXT NOT NULL,
	content_of_auth_letter TEXT NOT NULL,
	engineer_id            TEXT NOT NULL,
	engineer_name          TEXT NOT NULL,
	handler_id             TEXT NOT NULL,
	handler_name           TEXT NOT NULL,
	agency_id              TEXT NOT NULL,
	agency_name            TEXT NOT NULL,
	reject_reason          TEXT NOT NULL,
	effective_at           INTEGER,
	expire_at              INTEGER,
	created_at             INTEGER NOT NULL,
	updated_at             INTEGER NOT NULL
) STRICT;
-- Customer lists, newest first: covering, so counting and skipping rows of
-- any offset read the index alone.
CREATE INDEX authorizations_account_created ON authorizations
	(account_id, case_deleted, created_at, id, case_creator_id, status, expire_at);
-- Sub-users' lists: only their rows are read.
CREATE INDEX authorizations_account_creator ON authorizations
	(account_id, case_creator_id, case_deleted, created_at, id, status, expire_at);
-- A ticket's authorizations.
CREATE INDEX authorizations_case ON authorizations (account_id, case_id, case_deleted, created_at, id);
-- The sweeper of ended grants: only the authorized ones (the query names
-- status 1 literally so that the planner can use this partial index).
CREATE INDEX authorizations_due ON authorizations (expire_at, id) WHERE status = 1;
-- Engineers' lists.
CREATE INDEX authorizations_engineer_created ON authorizations (engineer_id, created_at, id);
CREATE INDEX authorizations_created ON authorizations (created_at, id);

CREATE TABLE authorization_details (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id       TEXT NOT NULL,
	authorization_id TEXT NOT NULL REFERENCES authorizations (id) DEFERRABLE INITIALLY DEFERRED,
	detail_type      INTEGER NOT NULL,
	instance_id      TEXT NOT NULL,
	instance_name    TEXT NOT NULL,
	region_id        TEXT NOT NULL,
	port             INTEGER NOT NULL,
	account          TEXT NOT NULL,
	has_credential   INTEGER NOT NULL
) STRICT;
CREATE INDEX authorization_details_authorization ON authorization_details (authorization_id, id);

-- Sealed credentials, apart from the details: destroying them deletes rows.
CREATE TABLE credentials (
	detail_id        INTEGER PRIMARY KEY REFERENCES authorization_details (id) DEFERRABLE INITIALLY DEFERRED,
	account_id       TEXT NOT NULL,
	authorization_id TEXT NOT NULL,
	port             INTEGER NOT NULL,
	account          TEXT NOT NULL,
	sealed           BLOB NOT NULL
) STRICT;
CREATE INDEX credentials_authorization ON credentials (authorization_id);

CREATE TABLE audit_events (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	occurred_at      INTEGER NOT NULL,
	actor_realm      TEXT NOT NULL,
	actor_id         TEXT NOT NULL,
	actor_name       TEXT NOT NULL,
	action           TEXT NOT NULL,
	account_id       TEXT NOT NULL,
	case_id          TEXT NOT NULL,
	authorization_id TEXT NOT NULL,
	detail           TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_account ON audit_events (account_id, id);
CREATE INDEX audit_events_authorization ON audit_events (authorization_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);

-- The audit log is append-only.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
