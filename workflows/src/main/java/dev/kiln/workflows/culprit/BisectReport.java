package dev.kiln.workflows.culprit;

/**
 * Where the bisection of a failed run stands, as its run view shows it ({@code bisect}).
 *
 * @param status {@link #RUNNING}, {@link #FOUND}, {@link #GAVE_UP} or {@link #STOPPED}
 * @param note one sentence: what it builds now, or why it ended as it did
 * @param commits the first-parent commits after the lane's last pass, the failing one included
 * @param builds the bisect builds started so far
 * @param budget the most builds it may start ({@link Bisection#budget})
 * @param culprit the commit named, once {@link #FOUND}
 */
public record BisectReport(
    String status, String note, int commits, int builds, int budget, Culprit culprit) {

  public static final String RUNNING = "running";
  public static final String FOUND = "found";
  public static final String GAVE_UP = "gave-up";

  /** The lane was fixed (a newer run of it passed) before a culprit was named. */
  public static final String STOPPED = "stopped";

  /** Only one commit after the pass: it is the failing run's own, nothing to bisect. */
  public static final String NOT_NEEDED = "not-needed";
}
