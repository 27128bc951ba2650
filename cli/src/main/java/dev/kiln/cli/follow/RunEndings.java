package dev.kiln.cli.follow;

import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Terminal;
import java.io.PrintWriter;

/** The last line of a followed run, on stderr, and the exit code that goes with it. */
final class RunEndings {

  private RunEndings() {}

  static int report(long runId, LogFollower.Ending ending, PrintWriter err, Terminal terminal) {
    StringBuilder line =
        new StringBuilder("run ")
            .append(runId)
            .append(' ')
            .append(terminal.result(ending.result().wireName()));
    if (ending.failureSummary() != null) {
      line.append(": ").append(ending.failureSummary());
    }
    err.println(line);
    return ExitCodes.of(ending.result());
  }
}
