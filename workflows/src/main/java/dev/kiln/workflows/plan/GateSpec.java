package dev.kiln.workflows.plan;

import java.util.List;

/**
 * A verification command (tests, lint). A failed {@code required} gate fails the run and blocks the
 * gates after it; a failed optional gate is reported and the run goes on.
 *
 * @param reports globs of JUnit XML reports, relative to the workspace
 */
public record GateSpec(
    String name, String run, List<String> reports, long timeoutSeconds, boolean required) {

  public GateSpec {
    reports = reports == null ? List.of() : List.copyOf(reports);
  }
}
