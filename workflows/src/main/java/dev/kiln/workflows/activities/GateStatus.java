package dev.kiln.workflows.activities;

import java.util.Locale;

public enum GateStatus {
  PENDING,
  RUNNING,
  PASSED,
  FAILED,
  /** Not run because a required gate before it failed. */
  BLOCKED,
  /** Not run because the run ended (cancelled, superseded) before it. */
  SKIPPED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
