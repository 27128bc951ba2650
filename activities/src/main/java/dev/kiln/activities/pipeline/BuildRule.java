package dev.kiln.activities.pipeline;

import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Recognizes one build system from the files at the workspace root and plans its build. */
interface BuildRule {

  /** What this rule looks for, as listed in the "no plan" error, e.g. {@code pom.xml}. */
  String lookedFor();

  /** The plan for this build system, or empty if the workspace does not use it. */
  Optional<PipelinePlan> plan(Path workspace) throws IOException;
}
