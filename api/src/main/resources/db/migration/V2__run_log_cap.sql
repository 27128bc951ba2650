-- The per-run log cap (kiln.logs.max-bytes-per-run). Ingest locks the run row and keeps these
-- counters, so checking the cap never sums a run's chunks.

-- bytes of run_log_chunks stored for the run, the truncation line included
ALTER TABLE runs ADD COLUMN log_bytes bigint NOT NULL DEFAULT 0;
-- bytes refused since the cap was reached
ALTER TABLE runs ADD COLUMN log_bytes_dropped bigint NOT NULL DEFAULT 0;
-- seq of the "log truncated" line; NULL while the run is under the cap
ALTER TABLE runs ADD COLUMN log_truncated_seq bigint;
-- the highest seq counted as dropped: a retried upload of dropped chunks is not counted twice
ALTER TABLE runs ADD COLUMN log_dropped_seq bigint;

UPDATE runs r
   SET log_bytes = coalesce((SELECT sum(octet_length(c.data)) FROM run_log_chunks c
                             WHERE c.run_id = r.id), 0);

-- GET /runs filters have their indexes in V1 (repo, branch, mr, arch, result, queued_at for
-- since); GET /state reads the newest run per lane through runs_lane_id_idx and GET /mr-task/{mr}
-- through runs_mr_id_idx.
