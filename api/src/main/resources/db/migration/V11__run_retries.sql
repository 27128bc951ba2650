-- POST /runs/{id}/retry: a retry is a run of its own that names the run it retries.

ALTER TABLE runs ADD COLUMN retry_of bigint REFERENCES runs (id);

CREATE INDEX runs_retry_of_idx ON runs (retry_of) WHERE retry_of IS NOT NULL;
