package dev.kiln.api.runs;

import dev.kiln.workflows.LogSequences;
import dev.kiln.workflows.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run view's {@code timeline}: one entry per step the run ran (fetch, compile, stage, each
 * gate), in order, with its status, when it started and ended and the commands it ran, read from
 * the run's log.
 *
 * <p>Every step invocation writes its log chunks in a sequence range of its own ({@link
 * LogSequences#STEP_SPAN} wide), Kiln's own lines (step {@code kiln}: "compile on host-a", "$
 * make", "staged app.jar …") included. So the chunks of one range are one step: its name is the
 * step its output went to ({@code compile}, {@code gate:unit}); a step that printed nothing of its
 * own (stage, or a step that failed at once) is named by its first Kiln line. Its start and end are
 * its first and last chunk's times; a gate's are the ledger's where it has them.
 */
final class StepTimeline {

  /** Kiln's own log lines, the step {@code kiln}. */
  static final String KILN = "kiln";

  /** What the log holds of one step invocation and one of its log steps. */
  record Chunks(long firstSeq, String step, Instant firstAt, Instant lastAt) {}

  /** One chunk of Kiln's own lines, decoded. */
  record KilnText(long seq, String text) {}

  /** A gate as the ledger has it. */
  record GateTimes(String name, String status, Instant startedAt, Instant finishedAt) {}

  /** The run as a whole: whether it goes on, and how it ended. */
  record RunState(Result result) {}

  private static final Pattern GATE_LINE = Pattern.compile("^gate (\\S+)");

  /**
   * Kiln lines that follow a command within the same chunk without being part of it: what the step
   * used, why it was killed, how it was stopped.
   */
  private static final List<String> AFTER_COMMAND =
      List.of(
          "used: ",
          "sandbox: ",
          "killed: ",
          "SIGTERM",
          "SIGKILL",
          "process group",
          "cancel",
          "log truncated",
          "compile failed",
          "compile timed out");

  private StepTimeline() {}

  static List<RunView.Step> of(
      List<Chunks> chunks, List<KilnText> kiln, List<GateTimes> gates, RunState run) {
    Map<Long, Invocation> invocations = new LinkedHashMap<>();
    for (Chunks c :
        chunks.stream().sorted((a, b) -> Long.compare(a.firstSeq, b.firstSeq)).toList()) {
      invocations.computeIfAbsent(invocationOf(c.firstSeq), i -> new Invocation()).add(c);
    }
    for (KilnText k : kiln.stream().sorted((a, b) -> Long.compare(a.seq, b.seq)).toList()) {
      Invocation invocation = invocations.get(invocationOf(k.seq));
      if (invocation != null) {
        invocation.kilnTexts.add(k.text);
      }
    }
    List<Invocation> ran = new ArrayList<>();
    for (Invocation invocation : invocations.values()) {
      if (!"restart".equals(invocation.name())) {
        ran.add(invocation);
      } else if (!ran.isEmpty()) {
        ran.get(ran.size() - 1).interrupted = true;
      }
    }
    Map<String, GateTimes> gatesByStep = new LinkedHashMap<>();
    gates.forEach(g -> gatesByStep.put(RunViews.gateStep(g.name()), g));
    List<RunView.Step> steps = new ArrayList<>();
    Set<String> shown = new HashSet<>();
    for (int i = 0; i < ran.size(); i++) {
      Invocation invocation = ran.get(i);
      String name = invocation.name();
      boolean last = i == ran.size() - 1;
      GateTimes gate = gatesByStep.get(name);
      shown.add(name);
      Instant start = invocation.start;
      Instant end = last && !run.result().isTerminal() ? null : invocation.end;
      String status;
      if (gate != null && !invocation.interrupted) {
        status = gate.status();
        start = gate.startedAt() == null ? start : gate.startedAt();
        end =
            gate.finishedAt() == null ? (status.equals("running") ? null : end) : gate.finishedAt();
      } else {
        status = status(invocation, last, run);
      }
      steps.add(
          new RunView.Step(name, status, start, end, millis(start, end), invocation.commands()));
    }
    for (GateTimes gate : gates) {
      String name = RunViews.gateStep(gate.name());
      if (!shown.contains(name)) {
        steps.add(
            new RunView.Step(
                name,
                gate.status(),
                gate.startedAt(),
                gate.finishedAt(),
                millis(gate.startedAt(), gate.finishedAt()),
                List.of()));
      }
    }
    return steps;
  }

  private static String status(Invocation invocation, boolean last, RunState run) {
    if (invocation.interrupted) {
      return "interrupted";
    }
    if (!last) {
      return "passed";
    }
    return run.result() == Result.BUILDING ? "running" : run.result().wireName();
  }

  private static Long millis(Instant start, Instant end) {
    return start == null || end == null ? null : Duration.between(start, end).toMillis();
  }

  private static long invocationOf(long seq) {
    return seq / LogSequences.STEP_SPAN;
  }

  /** The chunks of one step invocation. */
  private static final class Invocation {
    private String step;
    private Instant start;
    private Instant end;
    private boolean interrupted;
    private final List<String> kilnTexts = new ArrayList<>();

    void add(Chunks c) {
      if (step == null && !KILN.equals(c.step)) {
        step = c.step;
      }
      start = start == null || c.firstAt.isBefore(start) ? c.firstAt : start;
      end = end == null || c.lastAt.isAfter(end) ? c.lastAt : end;
    }

    String name() {
      if (step != null) {
        return step;
      }
      String first = kilnTexts.isEmpty() ? "" : kilnTexts.get(0).lines().findFirst().orElse("");
      if (first.startsWith("restarted on ")) {
        return "restart";
      }
      if (first.startsWith("fetch")) {
        return "fetch";
      }
      if (first.startsWith("compile")) {
        return "compile";
      }
      if (first.startsWith("stage")) {
        return "stage";
      }
      Matcher gate = GATE_LINE.matcher(first);
      return gate.find() ? RunViews.gateStep(gate.group(1)) : KILN;
    }

    /**
     * Each command as the log shows it after its prompt ({@code $ }), a script with all its lines:
     * the prompt is the last Kiln line before the command's output, so the script ends with its
     * chunk, or at a Kiln line written after it (a command that printed nothing).
     */
    List<String> commands() {
      List<String> commands = new ArrayList<>();
      for (String text : kilnTexts) {
        commandsOf(text, commands);
      }
      return commands;
    }

    private static void commandsOf(String text, List<String> commands) {
      StringBuilder current = null;
      for (String line : text.split("\n", -1)) {
        if (line.startsWith("$ ")) {
          if (current != null) {
            commands.add(current.toString());
          }
          current = new StringBuilder(line.substring(2));
        } else if (current != null) {
          if (line.isEmpty() || AFTER_COMMAND.stream().anyMatch(line::startsWith)) {
            commands.add(current.toString());
            current = null;
          } else {
            current.append('\n').append(line);
          }
        }
      }
      if (current != null) {
        commands.add(current.toString());
      }
    }
  }
}
