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
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show one run: result, where it ran, gates, artifacts (GET /runs/RUN).")
public final class ShowCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Parameters(paramLabel = "RUN", converter = RunIds.class, description = "the run's number")
  long runId;

  @Option(names = "--json", description = "print the api's run view as JSON")
  boolean json;

  @Override
  public Integer call() {
    JsonNode run = kiln.client().run(runId);
    kiln.out().print(json ? run + "\n" : RunDetails.render(run, kiln.terminal()));
    return ExitCodes.OK;
  }
}
