-- How a run's build steps were isolated, as its build host reported it when a step started: the
-- sandbox ('bwrap', or 'none' where an operator chose no isolation) and, with a sandbox, the
-- limits the steps ran under (memory_bytes, cpus, pids, disk_bytes, timeout_seconds, network,
-- enforced_by). One row per run; a run restarted on another host reports again.
CREATE TABLE run_sandboxes (
    run_id       bigint      PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    sandbox      text        NOT NULL,
    limits       jsonb,
    reported_at  timestamptz NOT NULL DEFAULT now()
);

-- What each command of a step used, from its cgroup: the run view adds up a step's commands
-- (highest peak, total CPU). NULL where the host could not measure (no sandbox, no cgroup).
CREATE TABLE run_step_usage (
    run_id             bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step               text        NOT NULL,
    command            integer     NOT NULL,
    peak_memory_bytes  bigint,
    cpu_millis         bigint,
    reported_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT run_step_usage_pkey PRIMARY KEY (run_id, step, command),
    CONSTRAINT run_step_usage_command_check CHECK (command >= 0)
);
