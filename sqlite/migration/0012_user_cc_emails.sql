-- The carbon-copy e-mail addresses the operator sets per customer user
-- (ListCaseCcEmails); mails about the user's tickets go to them too. One
-- row per address, in the order they were set.
CREATE TABLE user_cc_emails (
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
	position   INTEGER NOT NULL,
	email      TEXT NOT NULL,
	PRIMARY KEY (user_id, position)
) STRICT;
