-- An engineer's own e-mail address ('' when none): the mails about new
-- tickets in the queue and about grants made to them go there.
ALTER TABLE engineers ADD COLUMN email TEXT NOT NULL DEFAULT '';
