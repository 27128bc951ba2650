package dev.kiln.cli.follow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.RunPriority;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    description = {
      "Start a run of a git repository (POST /rebuild). With --follow, print its log live and"
          + " exit with its result: 0 passed, 1 failed, 2 cancelled or aborted."
    })
public final class RebuildCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "URL", description = "the repository's git URL")
  String repo;

  @Option(names = "--ref", description = "branch, tag or sha (default: the default branch)")
  String ref;

  @Option(
      names = "--arch",
      description = "CPU architecture to build on (default: the api's machine's)")
  String arch;

  @Option(names = "--priority", description = "low, normal (default), high or urgent")
  String priority;

  @Option(names = "--follow", description = "follow the log until the run ends")
  boolean follow;

  @Option(
      names = "--cancel-on-interrupt",
      description =
          "with --follow: Ctrl-C cancels the run without asking (default: ask on a terminal,"
              + " else stop following and leave the run going)")
  boolean cancelOnInterrupt;

  @Option(names = "--json", description = "print the api's answer as JSON (without --follow)")
  boolean json;

  @Override
  public Integer call() {
    JsonNode accepted = kiln.client().rebuild(body());
    long runId = accepted.path("run_id").asLong();
    if (json && !follow) {
      kiln.out().println(accepted.toString());
      return ExitCodes.OK;
    }
    kiln.err()
        .println(
            "run "
                + runId
                + " queued in lane "
                + accepted.path("lane").asText()
                + kiln.terminal().dim("  (kiln show " + runId + ")"));
    String warning = accepted.path("warning").asText("");
    if (!warning.isEmpty() && !"null".equals(warning)) {
      kiln.err().println("warning: " + warning);
    }
    if (!follow) {
      return ExitCodes.OK;
    }
    Interrupts.onInterrupt(
        runId, cancelOnInterrupt, kiln.client(), kiln.out(), kiln.err(), kiln.terminal());
    LogFollower follower = new LogFollower(kiln.client(), kiln.out(), kiln.err(), kiln.terminal());
    return RunEndings.report(runId, follower.follow(runId), kiln.err(), kiln.terminal());
  }

  Map<String, String> body() {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("repo", repo);
    if (ref != null) {
      body.put("ref", ref);
    }
    if (arch != null) {
      body.put("arch", Architectures.normalise(arch));
    }
    if (priority != null) {
      String wire = priority.strip().toLowerCase(Locale.ROOT);
      if (RunPriority.fromWireName(wire).isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--priority: \"" + priority + "\" is not one of " + RunPriority.wireNames());
      }
      body.put("priority", wire);
    }
    return body;
  }
}
