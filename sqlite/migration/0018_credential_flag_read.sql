-- Whether an item holds a credential is read from credentials (its key is
-- the item's id), no longer stored beside the item: keeping the flag cost
-- every confirmation and every end of a grant an UPDATE of the items and
-- of their covering index, two more B-trees in the commit
-- (docs/benchmarks.md, finding 22). The covering index (0016) goes without
-- the column.
DROP INDEX authorization_details_items;
ALTER TABLE authorization_details DROP COLUMN has_credential;
CREATE INDEX authorization_details_items ON authorization_details
	(authorization_id, id, detail_type, instance_id, instance_name, region_id, port, account);
