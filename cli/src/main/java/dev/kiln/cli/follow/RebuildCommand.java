package dev.kiln.cli.follow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Kiln;
import dev.kiln.cli.submit.WorkingTreeSnapshot;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.RunPriority;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
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
      "Start a run of a git repository (POST /rebuild), or of a local working tree as it is,"
          + " uncommitted changes and untracked files included, ignored files left out (POST"
          + " /submissions). With --follow, print its log live and exit with its result: 0"
          + " passed, 1 failed, 2 cancelled or aborted."
    })
public final class RebuildCommand implements Callable<Integer> {

  /** {@code git@host:path}, the scp-like form git takes for ssh. */
  private static final Pattern SCP_LIKE = Pattern.compile("[\\w.-]+@[\\w.-]+:.+");

  @ParentCommand Kiln kiln;

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "DIR|URL",
      arity = "0..1",
      defaultValue = ".",
      description =
          "a git URL (https://, http://, file://) to build a commit of, or a directory in a git"
              + " working tree to upload and build as it is (default: the current directory)")
  String target;

  @Option(
      names = "--ref",
      description = "with a URL: branch, tag or sha (default: the default branch)")
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
  public Integer call() throws IOException {
    JsonNode accepted = isUrl(target) ? kiln.client().rebuild(body()) : submit();
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

  /** Whether the argument names a git remote rather than a directory. */
  static boolean isUrl(String target) {
    return target.contains("://") || SCP_LIKE.matcher(target).matches();
  }

  /** Uploads the working tree as a git bundle of its snapshot ({@link WorkingTreeSnapshot}). */
  private JsonNode submit() throws IOException {
    if (ref != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--ref applies to a URL: a directory is built as its working tree is now");
    }
    Path bundle = Files.createTempFile("kiln-submission-", ".bundle");
    try {
      WorkingTreeSnapshot.Snapshot snapshot;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(bundle))) {
        snapshot = WorkingTreeSnapshot.write(Path.of(target), out);
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("name", snapshot.root().getFileName().toString());
      query.putAll(options());
      kiln.err()
          .println(
              kiln.terminal()
                  .dim(
                      "uploading "
                          + snapshot.root()
                          + ": "
                          + snapshot.files()
                          + " files, "
                          + Files.size(bundle) / 1024
                          + " KiB, snapshot "
                          + snapshot.sha().substring(0, 12)));
      return kiln.client().submit(bundle, query);
    } finally {
      Files.deleteIfExists(bundle);
    }
  }

  Map<String, String> body() {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("repo", target);
    if (ref != null) {
      body.put("ref", ref);
    }
    body.putAll(options());
    return body;
  }

  /** {@code arch} and {@code priority}, as given, checked. */
  private Map<String, String> options() {
    Map<String, String> body = new LinkedHashMap<>();
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
