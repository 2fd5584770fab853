-- The ticket's description and creator's name, copied into each of its
-- authorizations as its creator's id is (0001): both are set when the
-- ticket is created and never change, and the detail and the lists showed
-- them through a join with the ticket, about 3 µs of a 45 µs detail read
-- and 8-10 µs of a ten-row list page (docs/benchmarks.md, finding 21).
ALTER TABLE authorizations ADD COLUMN case_description TEXT NOT NULL DEFAULT '';
ALTER TABLE authorizations ADD COLUMN case_creator_name TEXT NOT NULL DEFAULT '';
UPDATE authorizations SET case_description = c.simple_description, case_creator_name = c.creator_name
FROM cases c WHERE c.id = authorizations.case_id;
