package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A plain Makefile: {@code make} in parallel, with {@code make test} (or else {@code make check})
 * as the gate when the Makefile defines that target. GNU make reads GNUmakefile, makefile and
 * Makefile, in that order, and so does this rule.
 */
final class MakeRule implements BuildRule {

  private static final List<String> NAMES = List.of("GNUmakefile", "makefile", "Makefile");

  @Override
  public String lookedFor() {
    return "Makefile";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    for (String name : NAMES) {
      Optional<String> makefile = WorkspaceFiles.read(workspace, name);
      if (makefile.isPresent()) {
        return Optional.of(plan(name, MakeTargets.of(makefile.get())));
      }
    }
    return Optional.empty();
  }

  private static PipelinePlan plan(String name, Set<String> targets) {
    String target = targets.contains("test") ? "test" : targets.contains("check") ? "check" : null;
    List<GateSpec> gates =
        target == null
            ? List.of()
            : List.of(PlanDefaults.gate(target, "make " + target, List.of()));
    return new PipelinePlan(
        "detected Make: "
            + name
            + " found, "
            + (target == null ? "no test or check target" : "gate make " + target),
        List.of(PlanDefaults.compile("make -j\"$KILN_CPUS\"")),
        List.of(),
        gates,
        Map.of());
  }
}
