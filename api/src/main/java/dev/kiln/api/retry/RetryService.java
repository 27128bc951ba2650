package dev.kiln.api.retry;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.rebuild.Lanes;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import dev.kiln.workflows.submission.LocalSubmissions;
import org.springframework.stereotype.Service;

/**
 * {@code POST /runs/{id}/retry}: a new run of what an ended run built — its commit (and so its
 * plan), arch, merge request, target, args, priority and the labels it required of its build host —
 * naming it in {@code retry_of}.
 */
@Service
public class RetryService {

  private final RunRepository runs;
  private final RebuildService rebuilds;
  private final Access access;
  private final RequestLimits limits;

  public RetryService(
      RunRepository runs, RebuildService rebuilds, Access access, RequestLimits limits) {
    this.runs = runs;
    this.rebuilds = rebuilds;
    this.access = access;
    this.limits = limits;
  }

  /**
   * @throws ApiException 404 unknown run, 403 a caller without {@code trigger} on its repository
   *     (or {@code urgent} for an urgent one), 409 a run that is still building or a local
   *     submission, 503 Temporal unreachable
   */
  public RebuildService.Outcome retry(long runId) {
    Caller caller = access.require(Scope.TRIGGER);
    RunRecord original = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    access.require(Scope.TRIGGER, original.repo());
    if (LocalSubmissions.isSubmission(original.repo())) {
      throw ApiException.conflict(
              "run "
                  + runId
                  + " built a local submission, whose upload builds once: submit the directory"
                  + " again (kiln rebuild DIR)")
          .with("run_id", runId);
    }
    if (!original.result().isTerminal()) {
      throw ApiException.conflict(
              "run " + runId + " is still building; wait for its end or cancel it, then retry")
          .with("run_id", runId)
          .with("result", original.result().wireName());
    }
    RunPriority priority = RunPriority.fromWireName(original.priority()).orElse(RunPriority.NORMAL);
    if (priority == RunPriority.URGENT && !caller.has(Scope.URGENT)) {
      throw ApiException.forbidden(
              "run " + runId + " was urgent: retrying it needs scope \"urgent\" (or \"admin\")")
          .with("missing_scope", Scope.URGENT.wireName());
    }
    limits.takeRebuild(caller);
    // the labels it required, whether asked for or from its kiln.yaml: the same commit needs them
    NewRun retry = retryOf(original, priority).withRequires(runs.requiresOf(runId));
    return rebuilds.rebuild(retry, caller.name());
  }

  /**
   * The retry's request. Pinned to the commit the original resolved, it builds on its own, never in
   * the lane, where it would supersede the branch's newer builds with an older commit. A run that
   * never resolved its commit (its fetch failed) is retried at its ref, in its lane, as a rebuild.
   */
  static NewRun retryOf(RunRecord original, RunPriority priority) {
    String ref = original.sha() != null ? original.sha() : original.ref();
    String lane =
        original.sha() != null ? Lanes.of(original.repo(), ref, original.arch()) : original.lane();
    return new NewRun(
        original.repo(),
        ref,
        original.arch(),
        lane,
        original.mr(),
        priority,
        original.supersede(),
        original.target(),
        original.args(),
        null,
        original.branch(),
        SupersedePolicy.CANCEL_RUNNING,
        original.id());
  }
}
