package dev.kiln.cli.follow;

import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Terminal;
import dev.kiln.workflows.Result;
import java.io.PrintWriter;

/** The last line of a followed or local run, on stderr, and the exit code that goes with it. */
public final class RunEndings {

  private RunEndings() {}

  static int report(long runId, LogFollower.Ending ending, PrintWriter err, Terminal terminal) {
    return report("run " + runId, ending.result(), ending.failureSummary(), err, terminal);
  }

  /**
   * "run 42 failed: summary" ({@code run} names the run).
   *
   * @param failureSummary {@code null} when there is none
   */
  public static int report(
      String run, Result result, String failureSummary, PrintWriter err, Terminal terminal) {
    StringBuilder line =
        new StringBuilder(run).append(' ').append(terminal.result(result.wireName()));
    if (failureSummary != null) {
      line.append(": ").append(failureSummary);
    }
    err.println(line);
    return ExitCodes.of(result);
  }
}
