-- POST /submissions: the git bundle a local submission uploaded, stored in the artifact store
-- under storage_key until retention removes it with the run's logs and artifacts.

CREATE TABLE submissions (
    run_id      bigint PRIMARY KEY REFERENCES runs (id),
    storage_key text        NOT NULL,
    size        bigint      NOT NULL,
    sha256      text        NOT NULL,
    commit_sha  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
