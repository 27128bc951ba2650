package dev.kiln.workflows.plan;

/** One shell command, run with {@code bash -eo pipefail -c} in the workspace. */
public record CommandStep(String run, long timeoutSeconds) {}
