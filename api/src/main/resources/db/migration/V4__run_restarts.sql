-- A run restarted from fetch on another host because the one holding its workspace was lost.
-- One row per attempt after the first; the key makes a retried report a no-op.
CREATE TABLE run_restarts (
    run_id         bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    attempt        integer     NOT NULL,
    host           text        NOT NULL,
    previous_host  text,
    restarted_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT run_restarts_pkey PRIMARY KEY (run_id, attempt),
    CONSTRAINT run_restarts_attempt_check CHECK (attempt > 1)
);
