-- Forge webhook deliveries Kiln acted on (dev.kiln.api.hooks): a forge that delivers one again
-- (its retry, a redelivery from its UI) finds it here and starts nothing. A delivery whose runs
-- could not be started is removed again, so that its redelivery can start them.

CREATE TABLE webhook_deliveries (
    forge        text        NOT NULL,
    delivery_id  text        NOT NULL,
    repo_id      bigint      NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    event        text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- what came of it: the runs started or cancelled, or why nothing was done
    run_ids      bigint[]    NOT NULL DEFAULT '{}',
    note         text,
    PRIMARY KEY (forge, delivery_id),
    CONSTRAINT webhook_deliveries_id_check CHECK (length(delivery_id) BETWEEN 1 AND 200)
);
