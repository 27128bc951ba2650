package dev.kiln.workflows.plan;

import java.util.List;

/**
 * One shell command, run with {@code bash -eo pipefail -c} in the workspace.
 *
 * @param secrets the names of the repository's secrets the command gets as environment variables
 *     (kiln.yaml {@code secrets:}); only names: the worker fetches the values from the api right
 *     before the command runs, so they never enter the workflow's history. Empty in plans recorded
 *     before secrets existed.
 */
public record CommandStep(String run, long timeoutSeconds, List<String> secrets) {

  public CommandStep {
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /** A command that gets no secrets. */
  public CommandStep(String run, long timeoutSeconds) {
    this(run, timeoutSeconds, List.of());
  }
}
