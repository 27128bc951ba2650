-- Registered repositories (dev.kiln.api.repos): what forge webhooks and rebuilds of a repository
-- take as its settings.

CREATE TABLE repos (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url              text        NOT NULL,
    -- the url without a trailing "/" or ".git": forges name a repository several ways
    url_key          text        NOT NULL UNIQUE,
    -- branch patterns forge pushes build ("main", "release/*", "**")
    branches         text[]      NOT NULL,
    archs            text[]      NOT NULL,
    default_priority text        NOT NULL,
    -- Kept as it is, not hashed: checking a forge's HMAC signature (GitHub, Gitea) needs the
    -- secret itself. Shown once, when the repository is registered or the secret rotated.
    webhook_secret   text        NOT NULL,
    -- seconds between polls of the remote; null: no polling
    poll_interval_s  bigint,
    -- [{"type": "webhook", "url": "https://…"}, …]
    notify           jsonb       NOT NULL DEFAULT '[]',
    -- [{"branches": "release/*", "policy": "queue"}, …], the first match wins
    supersede        jsonb       NOT NULL DEFAULT '[]',
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
