package dev.kiln.api.culprit;

import dev.kiln.workflows.culprit.BisectReport;
import dev.kiln.workflows.culprit.Culprit;

/**
 * What a run view says of bisection, written into the view's own object: {@code bisect_of} on a
 * bisect build (the failed run it bisects), {@code bisect} and {@code culprit} on a failed run that
 * was bisected. Read afresh with every view: a bisection goes on long after its run ended.
 *
 * @param bisectOf the failed run this bisect build bisects; {@code null} for any other run
 * @param bisect where the bisection of this run stands; {@code null} when it was never bisected
 * @param culprit the commit that broke the lane, once named
 */
public record BisectView(Long bisectOf, Bisect bisect, Culprit culprit) {

  /** A run neither bisected nor a bisect build. */
  public static final BisectView NONE = new BisectView(null, null, null);

  /**
   * @param status {@code running}, {@code found}, {@code gave-up} or {@code stopped}
   * @param note what it builds now, or why it ended as it did
   * @param commits the first-parent commits after the lane's last pass, this run's included
   * @param builds bisect builds started; never more than {@code budget} ({@code ceil(log2 commits)
   *     + 2})
   */
  public record Bisect(String status, String note, int commits, int builds, int budget) {}

  static BisectView of(Long bisectOf, BisectReport report) {
    if (report == null) {
      return new BisectView(bisectOf, null, null);
    }
    return new BisectView(
        bisectOf,
        new Bisect(
            report.status(), report.note(), report.commits(), report.builds(), report.budget()),
        report.culprit());
  }

  /** One line for the run page: the culprit, or how the bisection stands; empty without one. */
  public String line() {
    if (culprit != null) {
      return "culprit: "
          + culprit.sha()
          + " "
          + culprit.subject()
          + " ("
          + culprit.author()
          + "), confirmed by run "
          + culprit.runId();
    }
    if (bisect != null) {
      return "bisect " + bisect.status() + ": " + bisect.note();
    }
    return bisectOf == null ? "" : "bisect build of run " + bisectOf;
  }
}
