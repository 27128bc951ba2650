package dev.kiln.api.notify;

import dev.kiln.workflows.Result;

/**
 * What an ended run did to its lane, compared with the lane's previous run that passed or failed
 * (cancelled and superseded runs say nothing about the code). A webhook is told by default only of
 * a lane that {@link #BROKE} or was {@link #FIXED}, not of every green run.
 */
public enum LaneChange {
  /** Failed after a pass, or failed as the lane's first verdict. */
  BROKE,
  /** Passed after a failure. */
  FIXED,
  /** Passed again, failed again, or ended without a verdict. */
  NONE;

  /**
   * @param previous the result of the lane's latest earlier run that passed or failed; {@code null}
   *     when it has none
   */
  public static LaneChange of(Result previous, Result current) {
    if (current == Result.FAILED && previous != Result.FAILED) {
      return BROKE;
    }
    if (current == Result.PASSED && previous == Result.FAILED) {
      return FIXED;
    }
    return NONE;
  }

  /** {@code broke}, {@code fixed}; {@code null} for {@link #NONE}. */
  public String wireName() {
    return this == NONE ? null : name().toLowerCase(java.util.Locale.ROOT);
  }
}
