-- The log of uploads that the daily quota sums. It is apart from the
-- attachments because deleting an attachment must not give its bytes back:
-- upload, delete, upload would otherwise evade the quota. Nothing deletes
-- from it; rows older than a day no longer count.

CREATE TABLE uploads (
	accessory_id TEXT PRIMARY KEY, -- no reference: the row outlives the attachment
	account_id   TEXT NOT NULL,
	uploader_id  TEXT NOT NULL,
	size         BIGINT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL
);
-- Covering: the quota's sum reads the index alone.
CREATE INDEX uploads_uploader_created ON uploads (uploader_id, created_at) INCLUDE (size);

-- The uploads made before this log existed, as far as their rows remain.
INSERT INTO uploads (accessory_id, account_id, uploader_id, size, created_at)
	SELECT id, account_id, uploader_id, size, created_at FROM accessories;

-- Only the quota read it.
DROP INDEX accessories_uploader_created;
