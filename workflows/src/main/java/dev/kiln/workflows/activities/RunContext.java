package dev.kiln.workflows.activities;

import java.util.List;

/**
 * The facts about a run that every build command sees as {@code KILN_*} variables, and the attempt
 * its steps belong to.
 *
 * @param attempt the run's host attempt (1, then 2 after the first lost host, …): every write a
 *     step makes to the api carries it, and the api refuses writes of an attempt that is no longer
 *     the run's current one ({@code AttemptFencing}); 0 in an activity scheduled before attempts
 *     were carried, whose writes are not fenced
 */
public record RunContext(
    long runId,
    String repo,
    String sha,
    String arch,
    String target,
    List<String> args,
    int attempt) {

  public RunContext {
    args = args == null ? List.of() : List.copyOf(args);
  }
}
