package dev.kiln.api.runs;

import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import java.util.List;
import java.util.Objects;

/**
 * A validated request for a run, ready to be recorded as queued.
 *
 * @param lane the lane it builds in; usually {@code <repo>#<ref>@<arch>}, but a forge event names
 *     its branch's or merge request's lane for a run of a bare sha
 * @param branch the branch a forge event built, recorded with the run although {@code ref} is a
 *     sha; {@code null} otherwise (the fetch records the branch the ref went through)
 * @param policy what a newer run of the lane does to this one
 * @param retryOf the run this one retries; {@code null} otherwise
 * @param requires labels a build host must have to take the run
 */
public record NewRun(
    String repo,
    String ref,
    String arch,
    String lane,
    String mr,
    RunPriority priority,
    boolean supersede,
    String target,
    List<String> args,
    String idempotencyKey,
    String branch,
    SupersedePolicy policy,
    Long retryOf,
    List<String> requires) {

  public NewRun {
    args = args == null ? List.of() : List.copyOf(args);
    requires = requires == null ? List.of() : List.copyOf(requires);
    policy = policy == null ? SupersedePolicy.CANCEL_RUNNING : policy;
  }

  /** A run of {@code POST /rebuild}: no forge branch, the default supersede policy. */
  public NewRun(
      String repo,
      String ref,
      String arch,
      String lane,
      String mr,
      RunPriority priority,
      boolean supersede,
      String target,
      List<String> args,
      String idempotencyKey) {
    this(repo, ref, arch, lane, mr, priority, supersede, target, args, idempotencyKey, null, null);
  }

  /** A run of a forge's event: {@code branch} recorded with it, {@code policy} its lane's. */
  public NewRun(
      String repo,
      String ref,
      String arch,
      String lane,
      String mr,
      RunPriority priority,
      boolean supersede,
      String target,
      List<String> args,
      String idempotencyKey,
      String branch,
      SupersedePolicy policy) {
    this(
        repo,
        ref,
        arch,
        lane,
        mr,
        priority,
        supersede,
        target,
        args,
        idempotencyKey,
        branch,
        policy,
        null,
        List.of());
  }

  /** A retry of {@code retryOf}, which asks for what it asked. */
  public NewRun(
      String repo,
      String ref,
      String arch,
      String lane,
      String mr,
      RunPriority priority,
      boolean supersede,
      String target,
      List<String> args,
      String idempotencyKey,
      String branch,
      SupersedePolicy policy,
      Long retryOf) {
    this(
        repo,
        ref,
        arch,
        lane,
        mr,
        priority,
        supersede,
        target,
        args,
        idempotencyKey,
        branch,
        policy,
        retryOf,
        List.of());
  }

  /** This run, requiring {@code labels} of its build host. */
  public NewRun withRequires(List<String> labels) {
    return new NewRun(
        repo,
        ref,
        arch,
        lane,
        mr,
        priority,
        supersede,
        target,
        args,
        idempotencyKey,
        branch,
        policy,
        retryOf,
        labels);
  }

  /** This run under {@code newPolicy}. */
  public NewRun withPolicy(SupersedePolicy newPolicy) {
    return new NewRun(
        repo,
        ref,
        arch,
        lane,
        mr,
        priority,
        supersede,
        target,
        args,
        idempotencyKey,
        branch,
        newPolicy,
        retryOf,
        requires);
  }

  /** Whether an earlier run recorded under the same idempotency key asked for the same build. */
  public boolean sameRequestAs(RunRecord run) {
    return repo.equals(run.repo())
        && Objects.equals(ref, run.ref())
        && arch.equals(run.arch())
        && Objects.equals(mr, run.mr())
        && priority.wireName().equals(run.priority())
        && supersede == run.supersede()
        && Objects.equals(target, run.target())
        && args.equals(run.args());
  }
}
