package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description = {
      "What waits and who serves it, per architecture (GET /build-jobs/queue/status): queued and"
          + " building runs, workers polling, hosts and free slots, the oldest wait."
    })
public final class QueueCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Option(names = "--json", description = "print the api's JSON instead of a table")
  boolean json;

  @Override
  public Integer call() {
    JsonNode status = kiln.client().queue();
    if (json) {
      kiln.out().println(status.toString());
    } else {
      kiln.out().print(QueueTable.render(status.path("archs"), kiln.terminal()));
    }
    return ExitCodes.OK;
  }
}
