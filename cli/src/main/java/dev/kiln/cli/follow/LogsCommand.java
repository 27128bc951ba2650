package dev.kiln.cli.follow;

import dev.kiln.cli.CliFailure;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import dev.kiln.cli.runs.RunIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Print a run's log (GET /runs/RUN/logs). With -f, follow it live until the run ends and"
          + " exit with its result: 0 passed, 1 failed, 2 cancelled or aborted."
    })
public final class LogsCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Parameters(paramLabel = "RUN", converter = RunIds.class, description = "the run's number")
  long runId;

  @Option(
      names = {"-f", "--follow"},
      description = "follow the log live until the run ends")
  boolean follow;

  @Option(
      names = "--cancel-on-interrupt",
      description =
          "with -f: Ctrl-C cancels the run without asking (default: ask on a terminal,"
              + " else stop following and leave the run going)")
  boolean cancelOnInterrupt;

  @Override
  public Integer call() {
    if (follow) {
      Interrupts.onInterrupt(
          runId, cancelOnInterrupt, kiln.client(), kiln.out(), kiln.err(), kiln.terminal());
      LogFollower follower =
          new LogFollower(kiln.client(), kiln.out(), kiln.err(), kiln.terminal());
      return RunEndings.report(runId, follower.follow(runId), kiln.err(), kiln.terminal());
    }
    try (InputStream log = kiln.client().log(runId);
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(log, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        kiln.out().println(kiln.terminal().log(line));
      }
    } catch (IOException e) {
      throw new CliFailure("reading the log of run " + runId + ": " + e.getMessage());
    }
    return ExitCodes.OK;
  }
}
