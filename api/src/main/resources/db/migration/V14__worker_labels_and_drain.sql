-- Workers you can see, drain and label (GET /workers, PUT/DELETE /workers/{host}/drain).
-- What a host reports besides its capacity: its labels (configured plus detected toolchains),
-- the Kiln version it runs, whether it is draining, the runs it holds, and its process id.
ALTER TABLE build_hosts
    ADD COLUMN labels        text[]      NOT NULL DEFAULT '{}',
    ADD COLUMN version       text,
    ADD COLUMN draining      boolean     NOT NULL DEFAULT false,
    ADD COLUMN runs          bigint[]    NOT NULL DEFAULT '{}',
    ADD COLUMN process       text,
    -- An operator's drain applies to the process that was reporting when it was asked: a worker
    -- restarted on the host (another process) takes builds again.
    ADD COLUMN drain_process text,
    ADD COLUMN drain_asked_at timestamptz;

-- The labels a run requires (POST /rebuild requires, kiln.yaml requires:): only hosts with every
-- one of them take it.
ALTER TABLE runs ADD COLUMN requires text[] NOT NULL DEFAULT '{}';
