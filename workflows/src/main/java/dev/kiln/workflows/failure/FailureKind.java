package dev.kiln.workflows.failure;

import java.util.Locale;

/**
 * What kind of failure ended a failed run: whose fault it was, and whether trying again can help.
 * Only {@link #INFRASTRUCTURE} is worth retrying as it is.
 */
public enum FailureKind {
  /** The code did not build: a compiler error, a broken kiln.yaml, a ref that does not exist. */
  BUILD,
  /** A required gate failed: its tests (or its linter) said no. */
  TEST,
  /** A command ran past its timeout and was killed. */
  TIMEOUT,
  /** A command was killed for using more memory than its limit. */
  OOM,
  /** Not the code's fault: a lost host, an unreachable repository, no worker, the api down. */
  INFRASTRUCTURE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FailureKind fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
