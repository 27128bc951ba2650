-- Artifacts are stored per run from now on: storage_key is runs/<run id>/<path>, a directory no
-- other run writes to. Rows from before keep their <sha>/<arch>/<path> keys, which several runs of
-- one sha may share.
COMMENT ON COLUMN artifacts.storage_key IS
    'relative to <kiln.home>/artifacts: runs/<run id>/<path> (older rows: <sha>/<arch>/<path>)';
CREATE INDEX artifacts_storage_key_idx ON artifacts (storage_key);

-- Retention (kiln.retention): a run whose logs and artifacts were removed. The run keeps its row,
-- gates and failure summary; the run view says what was removed, when, and after how long.
CREATE TABLE run_retention (
    run_id      bigint      PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    removed_at  timestamptz NOT NULL DEFAULT now(),
    -- the retention that applied to the run's repository
    kept_for    interval    NOT NULL
);

-- retention looks for finished runs older than a cutoff
CREATE INDEX runs_finished_at_idx ON runs (finished_at) WHERE finished_at IS NOT NULL;
