-- Issue 10 (the console's speed with 1M authorizations).
--
-- The engineers' own lists, filtered in the store: the "mine" queue
-- (assignee, not deleted, newest first) and their authorizations, by status
-- or not. Each index covers its query, so the page and its bounded count
-- read the index alone instead of one table row per matching entry; the
-- effective-status filters (authorized and unexpired, expired) read status
-- and expire_at from the index too (docs/benchmarks.md, console section).
CREATE INDEX cases_assignee_created ON cases (assignee_id, created_at, id, status);
DROP INDEX cases_assignee;
CREATE INDEX authorizations_engineer_status ON authorizations (engineer_id, status, created_at, id, expire_at);
DROP INDEX authorizations_engineer_created;
CREATE INDEX authorizations_engineer_created ON authorizations (engineer_id, created_at, id, status, expire_at);
