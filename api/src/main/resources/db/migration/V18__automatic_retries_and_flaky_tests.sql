-- Automatic retries of infrastructure failures, flaky runs, and the tests that made them flaky.

-- A retry Kiln started by itself after an infrastructure failure (retry_of names the failed run);
-- false for a run of POST /runs/{id}/retry, whose caller is its triggered_by.
ALTER TABLE runs ADD COLUMN retried_automatically boolean NOT NULL DEFAULT false;

-- A retry that passed where the run it retries, of the same commit, had failed. Set in the
-- transaction of the retry's terminal write, so the finished run's view has it from the start.
ALTER TABLE runs ADD COLUMN flaky boolean NOT NULL DEFAULT false;

-- At most one automatic retry per run, whichever repeated finish report or api replica gets there
-- first: the others' inserts do nothing.
CREATE UNIQUE INDEX runs_one_automatic_retry_idx ON runs (retry_of) WHERE retried_automatically;

-- Per repository (its URL compared as registrations compare them: without a trailing / or .git),
-- each test that failed in a run and passed in that run's retry of the same commit.
CREATE TABLE flaky_tests (
    repo_key            text        NOT NULL,
    gate                text        NOT NULL,
    -- '' when the runner groups tests under nothing (part of the key, so never NULL)
    suite               text        NOT NULL DEFAULT '',
    name                text        NOT NULL,
    times_flaky         integer     NOT NULL,
    first_seen_at       timestamptz NOT NULL,
    -- the latest time: the retry that passed, the run whose failure it undid, and when
    last_run_id         bigint      NOT NULL REFERENCES runs (id),
    last_failed_run_id  bigint      NOT NULL REFERENCES runs (id),
    last_seen_at        timestamptz NOT NULL,
    CONSTRAINT flaky_tests_pkey PRIMARY KEY (repo_key, gate, suite, name),
    CONSTRAINT flaky_tests_times_check CHECK (times_flaky > 0)
);

-- GET /repos/{id}/flaky-tests: most often flaky first
CREATE INDEX flaky_tests_repo_idx ON flaky_tests (repo_key, times_flaky DESC, last_seen_at DESC);
