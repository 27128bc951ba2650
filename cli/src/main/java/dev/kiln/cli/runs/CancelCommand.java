package dev.kiln.cli.runs;

import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancel a run (PUT /build-jobs/RUN/cancel). Its commands are stopped and it ends"
          + " 'cancelled'; follow it with kiln logs -f RUN."
    })
public final class CancelCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Parameters(paramLabel = "RUN", converter = RunIds.class, description = "the run's number")
  long runId;

  @Option(names = "--reason", description = "why, for the api's log")
  String reason;

  @Override
  public Integer call() {
    kiln.client().cancel(runId, reason);
    kiln.err().println("run " + runId + " is being cancelled");
    return ExitCodes.OK;
  }
}
