-- What each build host last said about its capacity (POST /internal/hosts/{host}, every ~5 s).
-- GET /build-jobs/queue/status counts the free slots of hosts seen recently; a host that stopped
-- reporting simply ages out, so rows are never deleted by the api.

CREATE TABLE build_hosts (
    name                  text             PRIMARY KEY,
    archs                 text[]           NOT NULL,
    slots                 integer          NOT NULL,
    busy                  integer          NOT NULL,
    -- fractions of the whole machine, 0.0–1.0
    cpu                   double precision NOT NULL,
    memory                double precision NOT NULL,
    paused_for_resources  boolean          NOT NULL,
    last_seen             timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT build_hosts_slots_check CHECK (slots >= 1 AND busy >= 0)
);

-- the queue status counts queued runs of one arch, oldest first
CREATE INDEX runs_waiting_idx ON runs (arch, queued_at, id) WHERE phase = 'queued' AND result = 'building';
