package dev.kiln.activities.pipeline;

import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import java.time.Duration;
import java.util.List;

/** Timeouts used when kiln.yaml gives none, and shorthands for detected plans. */
final class PlanDefaults {

  /** A compile step may be a full build of a large project from a cold cache. */
  static final long COMPILE_TIMEOUT_SECONDS = Duration.ofMinutes(60).toSeconds();

  /** A gate runs against an already-compiled tree. */
  static final long GATE_TIMEOUT_SECONDS = Duration.ofMinutes(30).toSeconds();

  /**
   * Where detected plans ask test runners to write their results, one directory per gate: inside
   * the workspace, where the build host reads them after the gate, and apart from the project's own
   * files.
   */
  static final String REPORTS_DIR = ".kiln-reports";

  private PlanDefaults() {}

  /** The report directory of gate {@code gate}, workspace-relative. */
  static String reportsDir(String gate) {
    return REPORTS_DIR + "/" + gate;
  }

  static CommandStep compile(String run) {
    return new CommandStep(run, COMPILE_TIMEOUT_SECONDS);
  }

  static GateSpec gate(String name, String run, List<String> reports) {
    return new GateSpec(name, run, reports, GATE_TIMEOUT_SECONDS, true);
  }

  static GateSpec optionalGate(String name, String run) {
    return new GateSpec(name, run, List.of(), GATE_TIMEOUT_SECONDS, false);
  }
}
