-- The run ledger. Temporal holds the state of in-flight runs for a short retention; these tables
-- are the long-term record the api serves.

CREATE TABLE runs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo             text        NOT NULL,
    -- what was asked for (branch, tag, sha); NULL means the default branch
    ref              text,
    -- what fetch resolved: the branch the ref went through (NULL for a tag or bare sha) and the sha
    branch           text,
    sha              text,
    arch             text        NOT NULL,
    lane             text        NOT NULL,
    mr               text,
    priority         text        NOT NULL DEFAULT 'normal',
    supersede        boolean     NOT NULL DEFAULT true,
    version          text,
    phase            text        NOT NULL DEFAULT 'queued',
    result           text        NOT NULL DEFAULT 'building',
    failure_summary  varchar(600),
    superseded_by    bigint REFERENCES runs (id),
    cancelled_by     text,
    workflow_id      text,
    temporal_run_id  text,
    host             text,
    plan_origin      text,
    idempotency_key  text UNIQUE,
    target           text,
    args             text[]      NOT NULL DEFAULT '{}',
    queued_at        timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    CONSTRAINT runs_priority_check CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT runs_phase_check
        CHECK (phase IN ('queued', 'fetching', 'compiling', 'staging', 'gating', 'done')),
    CONSTRAINT runs_result_check
        CHECK (result IN ('building', 'passed', 'failed', 'cancelled', 'aborted')),
    -- a terminal result always comes with its time; the ledger's "first terminal write wins"
    -- guard relies on result alone
    CONSTRAINT runs_terminal_has_finished_at CHECK (result = 'building' OR finished_at IS NOT NULL)
);

-- GET /runs filters on one column at a time and pages newest first by id
CREATE INDEX runs_repo_id_idx ON runs (repo, id DESC);
-- branch is known once fetch resolved it; until then the filter matches the requested ref
CREATE INDEX runs_branch_id_idx ON runs ((coalesce(branch, ref)), id DESC);
CREATE INDEX runs_mr_id_idx ON runs (mr, id DESC) WHERE mr IS NOT NULL;
CREATE INDEX runs_arch_id_idx ON runs (arch, id DESC);
CREATE INDEX runs_result_id_idx ON runs (result, id DESC);
CREATE INDEX runs_queued_at_idx ON runs (queued_at);
CREATE INDEX runs_lane_id_idx ON runs (lane, id DESC);

CREATE TABLE gate_runs (
    run_id         bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name           text        NOT NULL,
    ordinal        integer     NOT NULL,
    required       boolean     NOT NULL DEFAULT true,
    status         text        NOT NULL DEFAULT 'pending',
    summary        text,
    tests_total    integer,
    tests_failed   integer,
    tests_skipped  integer,
    started_at     timestamptz,
    finished_at    timestamptz,
    CONSTRAINT gate_runs_pkey PRIMARY KEY (run_id, name),
    CONSTRAINT gate_runs_status_check
        CHECK (status IN ('pending', 'running', 'passed', 'failed', 'blocked', 'skipped'))
);

CREATE TABLE run_log_chunks (
    run_id       bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- not dense: see dev.kiln.workflows.LogSequences
    seq          bigint      NOT NULL,
    step         text        NOT NULL,
    byte_offset  bigint      NOT NULL DEFAULT 0,
    data         bytea       NOT NULL,
    -- when the worker produced the chunk (its "ts"), or when it arrived if it sent none
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT run_log_chunks_pkey PRIMARY KEY (run_id, seq)
);

CREATE TABLE artifacts (
    run_id       bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path         text        NOT NULL,
    size         bigint      NOT NULL,
    sha256       char(64)    NOT NULL,
    -- relative to <kiln.home>/artifacts: <sha>/<arch>/<path>
    storage_key  text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT artifacts_pkey PRIMARY KEY (run_id, path)
);
