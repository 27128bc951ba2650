package dev.kiln.cli.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    description =
        "List build hosts: archs, labels, slots, load, version, live or lost, draining, the runs"
            + " they build (GET /workers).")
public final class WorkersCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Option(names = "--json", description = "print the api's JSON instead of a table")
  boolean json;

  @Override
  public Integer call() {
    JsonNode page = kiln.client().workers();
    if (json) {
      kiln.out().println(page.toString());
    } else if (page.path("workers").isEmpty()) {
      kiln.err().println("no workers have reported");
    } else {
      kiln.out().print(WorkerTable.render(page.path("workers"), kiln.terminal(), Instant.now()));
    }
    return ExitCodes.OK;
  }
}
