-- Issue 10 (the console's speed with 1M authorizations).
--
-- The engineers' own lists filtered in the store: the "mine" queue
-- (assignee, not deleted, newest first) and their authorizations by status.
-- Both indexes cover their query, so the page and its bounded count read the
-- index alone instead of one table row per matching entry (docs/benchmarks.md,
-- console section).
CREATE INDEX cases_assignee_created ON cases (assignee_id, created_at, id, status);
DROP INDEX cases_assignee;
CREATE INDEX authorizations_engineer_status ON authorizations (engineer_id, status, created_at, id, expire_at);
