-- Whether an item holds a credential is read from credentials (its key is
-- the item's id), no longer stored beside the item: keeping the flag cost
-- every confirmation and every end of a grant an UPDATE of the items
-- (docs/benchmarks.md, finding 22).
ALTER TABLE authorization_details DROP COLUMN has_credential;
