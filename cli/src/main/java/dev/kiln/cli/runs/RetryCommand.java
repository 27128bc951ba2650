package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "retry",
    mixinStandardHelpOptions = true,
    description = {
      "Build an ended run again (POST /runs/RUN/retry): its commit, arch, target, args and"
          + " priority, outside its branch's lane; follow it with kiln logs -f."
    })
public final class RetryCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Parameters(paramLabel = "RUN", converter = RunIds.class, description = "the run's number")
  long runId;

  @Option(names = "--json", description = "print the api's answer as JSON")
  boolean json;

  @Override
  public Integer call() {
    JsonNode accepted = kiln.client().retry(runId);
    if (json) {
      kiln.out().println(accepted.toString());
    } else {
      long retry = accepted.path("run_id").asLong();
      kiln.err()
          .println(
              "run "
                  + retry
                  + " retries run "
                  + runId
                  + kiln.terminal().dim("  (kiln logs -f " + retry + ")"));
    }
    return ExitCodes.OK;
  }
}
