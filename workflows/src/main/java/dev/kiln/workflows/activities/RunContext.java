package dev.kiln.workflows.activities;

import java.util.List;

/** The facts about a run that every build command sees as {@code KILN_*} variables. */
public record RunContext(
    long runId, String repo, String sha, String arch, String target, List<String> args) {

  public RunContext {
    args = args == null ? List.of() : List.copyOf(args);
  }
}
