-- Notifications of a run's start and end (dev.kiln.api.notify): one row per run, target and event,
-- written when the ledger records the event and updated by each delivery attempt; the run view
-- lists them.

CREATE TABLE run_notifications (
    run_id          bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- NotifyTarget.key(): the target's type, URL and repository, hashed; stable across PATCHes
    target_key      text        NOT NULL,
    -- started | ended
    event           text        NOT NULL,
    -- the target as the run view shows it: without its secret or token
    target          jsonb       NOT NULL,
    -- pending | delivered | failed
    state           text        NOT NULL DEFAULT 'pending',
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    -- the commit statuses the forge acknowledged, as "<context>=<state>": a retried attempt
    -- posts only the others
    posted          text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, target_key, event),
    CONSTRAINT run_notifications_event_check CHECK (event IN ('started', 'ended')),
    CONSTRAINT run_notifications_state_check CHECK (state IN ('pending', 'delivered', 'failed'))
);
