-- Build secrets of registered repositories (dev.kiln.api.secrets). Write-only through the public
-- API; workers get a run's values over /internal right before the step that names them.

CREATE TABLE repo_secrets (
    repo_id     bigint      NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    -- an environment variable name: the step gets the secret under it
    name        text        NOT NULL,
    -- AES-256-GCM under kiln.secrets.key: a random 96-bit nonce per value, and the ciphertext with
    -- its 128-bit tag; the repository id and the name are the associated data, so a value copied
    -- to another row does not decrypt
    nonce       bytea       NOT NULL,
    ciphertext  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL,
    PRIMARY KEY (repo_id, name)
);
