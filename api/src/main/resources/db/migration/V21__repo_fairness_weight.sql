-- Fair queues: a registered repository's share of the build queue against other repositories'
-- queued builds (Temporal's fairness weight of its runs; 2 gets twice the share of 1).
ALTER TABLE repos
    ADD COLUMN fairness_weight double precision NOT NULL DEFAULT 1.0
        CHECK (fairness_weight >= 0.001 AND fairness_weight <= 1000);
