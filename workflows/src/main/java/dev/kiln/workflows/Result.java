package dev.kiln.workflows;

import java.util.Locale;

/** The outcome of a run. {@link #BUILDING} until a terminal result is recorded. */
public enum Result {
  BUILDING,
  PASSED,
  FAILED,
  CANCELLED,
  /** Superseded by a newer run in the same lane. */
  ABORTED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isTerminal() {
    return this != BUILDING;
  }

  public static Result fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
