package dev.kiln.activities.pipeline;

import dev.kiln.workflows.plan.PipelinePlan;

/**
 * What a workspace will build.
 *
 * @param plan the commands, artifacts, gates and environment
 * @param version the project version, or {@code null} when it has none Kiln can read
 */
public record PlannedBuild(PipelinePlan plan, String version) {}
