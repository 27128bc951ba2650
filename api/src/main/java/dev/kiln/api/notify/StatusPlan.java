package dev.kiln.api.notify;

import dev.kiln.api.notify.CommitStatus.State;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The commit statuses of a run: one stable context for its build (fetch, compile and stage) and one
 * per gate, each with the run's architecture, so that the runs of one commit on several
 * architectures, and the runs of later commits, each keep their own line on the forge: {@code
 * kiln/build (x86_64)}, {@code kiln/gate unit (x86_64)}.
 */
public final class StatusPlan {

  /** Gate states that mean the build itself got as far as the gates. */
  private static final Set<GateStatus> REACHED =
      EnumSet.of(GateStatus.RUNNING, GateStatus.PASSED, GateStatus.FAILED, GateStatus.BLOCKED);

  private StatusPlan() {}

  public static String buildContext(String arch) {
    return "kiln/build (" + arch + ")";
  }

  public static String gateContext(String gate, String arch) {
    return "kiln/gate " + gate + " (" + arch + ")";
  }

  /** A gate of the run as it ended. */
  public record Gate(String name, GateStatus status, String summary) {}

  /**
   * How a run ended.
   *
   * @param supersededBy the run that replaced it, when it ended {@code aborted}
   * @param cancelledBy who cancelled it, when it ended {@code cancelled}
   */
  public record Ended(
      String arch,
      Result result,
      String failureSummary,
      Long supersededBy,
      String cancelledBy,
      List<Gate> gates) {}

  /** {@code pending} for the build and each gate the plan lists, when the run starts. */
  public static List<CommitStatus> started(String arch, List<String> gates) {
    List<CommitStatus> statuses = new ArrayList<>();
    statuses.add(new CommitStatus(buildContext(arch), State.PENDING, "building"));
    for (String gate : gates) {
      statuses.add(
          new CommitStatus(gateContext(gate, arch), State.PENDING, "waiting for the build"));
    }
    return statuses;
  }

  /** Every context's final state, when the run ended. */
  public static List<CommitStatus> ended(Ended run) {
    List<CommitStatus> statuses = new ArrayList<>();
    statuses.add(build(run));
    for (Gate gate : run.gates()) {
      statuses.add(gate(run, gate));
    }
    return statuses;
  }

  private static CommitStatus build(Ended run) {
    String context = buildContext(run.arch());
    boolean reachedGates = run.gates().stream().anyMatch(g -> REACHED.contains(g.status()));
    if (run.result() == Result.PASSED || reachedGates) {
      return new CommitStatus(context, State.SUCCESS, "built");
    }
    if (run.result() == Result.FAILED) {
      return new CommitStatus(context, State.FAILURE, orElse(run.failureSummary(), "failed"));
    }
    return new CommitStatus(context, State.ERROR, notDecided(run));
  }

  private static CommitStatus gate(Ended run, Gate gate) {
    String context = gateContext(gate.name(), run.arch());
    return switch (gate.status()) {
      case PASSED -> new CommitStatus(context, State.SUCCESS, orElse(gate.summary(), "passed"));
      case FAILED -> new CommitStatus(context, State.FAILURE, orElse(gate.summary(), "failed"));
      case BLOCKED ->
          new CommitStatus(context, State.ERROR, "not run: a required gate before it failed");
      case PENDING, RUNNING, SKIPPED ->
          new CommitStatus(
              context,
              State.ERROR,
              run.result() == Result.FAILED ? "not run: the build failed" : notDecided(run));
    };
  }

  /** Why a context ends without the code deciding it: cancelled or superseded. */
  private static String notDecided(Ended run) {
    if (run.result() == Result.ABORTED && run.supersededBy() != null) {
      return "superseded by run " + run.supersededBy();
    }
    if (run.result() == Result.CANCELLED) {
      return run.cancelledBy() == null ? "cancelled" : "cancelled by " + run.cancelledBy();
    }
    return "not run";
  }

  private static String orElse(String text, String fallback) {
    return text == null || text.isBlank() ? fallback : text;
  }
}
