-- Each test a gate's runner reported, per run: what the run view's failures, GET /runs/{id}/tests
-- and the history of a test across runs (flaky tests, culprits) read. The build host sends them
-- in parts; ordinal is the test's place in its gate's report.
CREATE TABLE test_results (
    run_id       bigint  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    gate         text    NOT NULL,
    ordinal      integer NOT NULL,
    -- what the runner groups the test under (JVM class, Go package, Rust test target), or NULL
    suite        text,
    name         text    NOT NULL,
    status       text    NOT NULL,
    duration_ms  bigint,
    -- for a failed test: its assertion or panic line, and where it is when known
    message      text,
    file         text,
    line         integer,
    CONSTRAINT test_results_pkey PRIMARY KEY (run_id, gate, ordinal),
    CONSTRAINT test_results_status_check CHECK (status IN ('passed', 'failed', 'skipped')),
    CONSTRAINT test_results_ordinal_check CHECK (ordinal >= 0)
);

-- the run view lists each gate's first failures
CREATE INDEX test_results_failed_idx ON test_results (run_id, gate, ordinal)
    WHERE status = 'failed';
-- one test's results across runs, newest first
CREATE INDEX test_results_name_idx ON test_results (name, run_id DESC);
