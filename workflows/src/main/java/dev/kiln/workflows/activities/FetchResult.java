package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.PipelinePlan;

/**
 * A checked-out workspace on one host, and the plan read from it.
 *
 * @param hostQueue the task queue of the worker process that holds the workspace
 * @param branch the branch the ref resolved through, or {@code null} for a tag or bare sha
 * @param version the project version from pom.xml, Cargo.toml or package.json, or {@code null}
 */
public record FetchResult(
    String hostQueue,
    String host,
    String sha,
    String branch,
    String workspace,
    String version,
    PipelinePlan plan) {}
