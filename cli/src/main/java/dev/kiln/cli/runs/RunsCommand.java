package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "List runs, newest first (GET /runs).")
public final class RunsCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Option(names = "--repo", description = "only runs of this repository URL")
  String repo;

  @Option(names = "--branch", description = "only runs of this branch")
  String branch;

  @Option(
      names = "--result",
      description = "only runs with this result: building, passed, failed, cancelled, aborted")
  String result;

  @Option(names = "--limit", description = "at most this many runs (1-200, default 50)")
  Integer limit;

  @Option(names = "--json", description = "print the api's JSON page instead of a table")
  boolean json;

  @Override
  public Integer call() {
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("repo", repo);
    filters.put("branch", branch);
    filters.put("result", result);
    filters.put("limit", limit == null ? null : limit.toString());
    JsonNode page = kiln.client().runs(filters);
    if (json) {
      kiln.out().println(page.toString());
    } else if (page.path("runs").isEmpty()) {
      kiln.err().println("no runs");
    } else {
      kiln.out().print(RunTable.render(page.path("runs"), kiln.terminal(), ZoneId.systemDefault()));
    }
    return ExitCodes.OK;
  }
}
