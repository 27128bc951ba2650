-- API tokens (dev.kiln.api.auth). Only a token's SHA-256 is stored: the token itself is shown once,
-- when it is made. A deleted token keeps its row with revoked_at set, so that the names recorded
-- in runs (triggered_by, cancelled_by) still refer to something, and GET /tokens can list it.

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL,
    -- hex SHA-256 of the whole token (kiln_…)
    token_hash    char(64)    NOT NULL UNIQUE,
    -- read, trigger, cancel, urgent, metrics, admin
    scopes        text[]      NOT NULL,
    -- repository URL patterns ("https://git.example.com/team/*"); empty: every repository
    repos         text[]      NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- who made it: a token's name, "loopback" or "bootstrap"
    created_by    text        NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    -- the installation's first admin token, made by the api at its first start
    bootstrap     boolean     NOT NULL DEFAULT false,
    CONSTRAINT api_tokens_name_check CHECK (length(name) BETWEEN 1 AND 100)
);

-- a name tells one live token from another in run views and logs
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- at most one bootstrap token ever: api replicas starting together race on this index
CREATE UNIQUE INDEX api_tokens_one_bootstrap ON api_tokens ((true)) WHERE bootstrap;

-- who started a run: the token's name, or "loopback" on the dev stack; NULL for runs from before
ALTER TABLE runs ADD COLUMN triggered_by text;
