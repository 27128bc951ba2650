package dev.kiln.workflows.activities;

import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.plan.PipelinePlan;
import java.util.List;

/**
 * A checked-out workspace on one host, and the plan read from it.
 *
 * @param hostQueue the task queue of the worker process that holds the workspace
 * @param branch the branch the ref resolved through, or {@code null} for a tag or bare sha
 * @param version the project version from pom.xml, Cargo.toml or package.json, or {@code null}
 * @param hostLabels the labels of the host that fetched; when they lack one the plan requires, the
 *     host has removed the workspace and freed its slot, and the run moves to a host that has them
 */
public record FetchResult(
    String hostQueue,
    String host,
    String sha,
    String branch,
    String workspace,
    String version,
    PipelinePlan plan,
    List<String> hostLabels) {

  public FetchResult {
    hostLabels = hostLabels == null ? List.of() : List.copyOf(hostLabels);
  }

  /** A fetch by a host whose labels are not told (tests of plans that require none). */
  public FetchResult(
      String hostQueue,
      String host,
      String sha,
      String branch,
      String workspace,
      String version,
      PipelinePlan plan) {
    this(hostQueue, host, sha, branch, workspace, version, plan, List.of());
  }

  /** This fetch with {@code branch}: a commit fetched again by sha keeps the branch it came by. */
  public FetchResult withBranch(String newBranch) {
    return new FetchResult(
        hostQueue, this.host, sha, newBranch, workspace, version, plan, hostLabels);
  }

  /** Whether this host may build the plan: it has every label the plan requires. */
  public boolean hostMayBuild() {
    return plan == null || WorkerLabels.satisfies(hostLabels, plan.requires());
  }
}
