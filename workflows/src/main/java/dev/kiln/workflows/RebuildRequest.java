package dev.kiln.workflows;

import java.util.List;

/**
 * What the api asks a {@code RebuildWorkflow} to build. The api has already validated every field
 * and recorded the run, so {@code runId} exists in the ledger.
 *
 * @param ref branch, tag, full or short sha; {@code null} means the default branch
 * @param priority {@code low|normal|high|urgent}
 * @param target free text passed to commands as {@code KILN_TARGET}
 * @param args passed to commands as {@code KILN_ARGS} (space separated)
 * @param noWorkerTimeoutSeconds how long the fetch may wait on {@code kiln-build-<arch>} for a
 *     worker to pick it up before the run fails with "no worker for arch …"; {@code 0} means no
 *     limit (histories recorded before this field existed read it as 0)
 * @param supersede what a newer request of the lane does to this one ({@link SupersedePolicy}'s
 *     wire name); {@code null}, as in histories recorded before policies, is {@code cancel-running}
 * @param requires labels a build host must have to take the run ({@link WorkerLabels}); empty, as
 *     in histories recorded before labels, builds on any host of the arch
 * @param fairnessWeight the share of the build queue the repository's registration gives it ({@link
 *     FairQueues}); {@code 0}, as in histories recorded before fair queues, is the default
 */
public record RebuildRequest(
    long runId,
    String repo,
    String ref,
    String arch,
    String mr,
    String priority,
    String target,
    List<String> args,
    long noWorkerTimeoutSeconds,
    String supersede,
    List<String> requires,
    double fairnessWeight) {

  public RebuildRequest {
    args = args == null ? List.of() : List.copyOf(args);
    requires = requires == null ? List.of() : List.copyOf(requires);
    if (noWorkerTimeoutSeconds < 0) {
      throw new IllegalArgumentException("noWorkerTimeoutSeconds must not be negative");
    }
  }

  /** A request with the default fairness weight. */
  public RebuildRequest(
      long runId,
      String repo,
      String ref,
      String arch,
      String mr,
      String priority,
      String target,
      List<String> args,
      long noWorkerTimeoutSeconds,
      String supersede,
      List<String> requires) {
    this(
        runId,
        repo,
        ref,
        arch,
        mr,
        priority,
        target,
        args,
        noWorkerTimeoutSeconds,
        supersede,
        requires,
        0);
  }

  /** A request that requires no label. */
  public RebuildRequest(
      long runId,
      String repo,
      String ref,
      String arch,
      String mr,
      String priority,
      String target,
      List<String> args,
      long noWorkerTimeoutSeconds,
      String supersede) {
    this(
        runId,
        repo,
        ref,
        arch,
        mr,
        priority,
        target,
        args,
        noWorkerTimeoutSeconds,
        supersede,
        List.of());
  }

  /** A request under the lane's default policy, {@code cancel-running}. */
  public RebuildRequest(
      long runId,
      String repo,
      String ref,
      String arch,
      String mr,
      String priority,
      String target,
      List<String> args,
      long noWorkerTimeoutSeconds) {
    this(runId, repo, ref, arch, mr, priority, target, args, noWorkerTimeoutSeconds, null);
  }

  /** The policy this request asks its lane to apply. */
  public SupersedePolicy supersedePolicy() {
    return SupersedePolicy.fromWireName(supersede);
  }

  /** This request under {@code policy}. */
  public RebuildRequest withSupersede(SupersedePolicy policy) {
    return new RebuildRequest(
        runId,
        repo,
        ref,
        arch,
        mr,
        priority,
        target,
        args,
        noWorkerTimeoutSeconds,
        policy.wireName(),
        requires,
        fairnessWeight);
  }

  /** This request with the fairness weight of its repository's registration. */
  public RebuildRequest withFairnessWeight(double weight) {
    return new RebuildRequest(
        runId,
        repo,
        ref,
        arch,
        mr,
        priority,
        target,
        args,
        noWorkerTimeoutSeconds,
        supersede,
        requires,
        weight);
  }
}
