-- The culprit finder (dev.kiln.api.culprit): a lane that broke with several commits since its last
-- pass is bisected with low-priority builds of their own, each marking the run it bisects; the
-- bisection's state and the culprit it names are kept with the failing run.

-- a bisect build names the failed run whose culprit it looks for; removing that run (retention)
-- leaves the build a plain run
ALTER TABLE runs ADD COLUMN bisect_of bigint REFERENCES runs (id) ON DELETE SET NULL;

CREATE INDEX runs_bisect_of_idx ON runs (bisect_of) WHERE bisect_of IS NOT NULL;

CREATE TABLE run_bisects (
    -- the failed run being bisected
    run_id          bigint      PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    -- running | found | gave-up | stopped
    status          text        NOT NULL,
    -- what it builds now, or why it ended as it did
    note            text,
    -- first-parent commits after the lane's last pass, the failing one included
    commits         integer     NOT NULL,
    builds          integer     NOT NULL,
    budget          integer     NOT NULL,
    culprit_sha     text,
    culprit_author  text,
    culprit_subject text,
    -- the bisect build that confirmed the culprit fails
    culprit_run_id  bigint      REFERENCES runs (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT run_bisects_status_check
        CHECK (status IN ('running', 'found', 'gave-up', 'stopped'))
);

-- a culprit named is told to the repository's webhooks as an event of the failed run
ALTER TABLE run_notifications DROP CONSTRAINT run_notifications_event_check;
ALTER TABLE run_notifications ADD CONSTRAINT run_notifications_event_check
    CHECK (event IN ('started', 'ended', 'culprit'));
