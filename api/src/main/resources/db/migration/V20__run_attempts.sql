-- The run's current host attempt: 1 for the first host, raised when the run starts over on
-- another host (before the new attempt's fetch is scheduled). The api refuses writes a build
-- host makes for a lower attempt: a lost host that comes back cannot change the record of a run
-- that moved on without it.
ALTER TABLE runs ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE runs ADD CONSTRAINT runs_attempt_check CHECK (attempt >= 1);
