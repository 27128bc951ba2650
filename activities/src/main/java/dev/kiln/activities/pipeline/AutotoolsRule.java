package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Autotools (a generated {@code configure} next to {@code Makefile.in}): configure and make, with
 * {@code make check} as the gate, the GNU standard test target, or {@code make test} if that is
 * what Makefile.in defines. No gate when neither exists, rather than one that always fails.
 */
final class AutotoolsRule implements BuildRule {

  @Override
  public String lookedFor() {
    return "configure + Makefile.in";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> makefileIn = WorkspaceFiles.read(workspace, "Makefile.in");
    if (makefileIn.isEmpty() || !WorkspaceFiles.isFile(workspace, "configure")) {
      return Optional.empty();
    }
    // A configure script that lost its executable bit still runs under sh.
    String configure =
        Files.isExecutable(workspace.resolve("configure")) ? "./configure" : "sh ./configure";
    Set<String> targets = MakeTargets.of(makefileIn.get());
    String target = targets.contains("check") ? "check" : targets.contains("test") ? "test" : null;
    List<GateSpec> gates =
        target == null
            ? List.of()
            : List.of(PlanDefaults.gate(target, "make " + target, List.of()));
    return Optional.of(
        new PipelinePlan(
            "detected Autotools: configure and Makefile.in found, "
                + (target == null ? "no check or test target" : "gate make " + target),
            List.of(PlanDefaults.compile(configure + " && make -j\"$KILN_CPUS\"")),
            List.of(),
            gates,
            Map.of()));
  }
}
