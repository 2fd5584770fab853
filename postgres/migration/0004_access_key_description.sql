-- An access key's description, as IAM keeps it: set when the key is
-- created or updated, shown in every answer about the key.
ALTER TABLE access_keys ADD COLUMN description TEXT NOT NULL DEFAULT '';
