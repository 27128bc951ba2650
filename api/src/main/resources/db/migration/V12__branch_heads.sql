-- The last commit Kiln started a build of, per registered repository and branch
-- (dev.kiln.api.watch): written in the transaction that records the runs, by the watcher's polls
-- and by forge pushes alike, so a head is built once whichever of them sees it first, and a
-- restart between two polls loses and repeats nothing.

CREATE TABLE branch_heads (
    repo_id    bigint      NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    branch     text        NOT NULL,
    sha        text        NOT NULL,
    -- the runs started for it, one per architecture of the repository
    run_ids    bigint[]    NOT NULL,
    started_by text        NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo_id, branch)
);
