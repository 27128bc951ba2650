package dev.kiln.workflows.culprit;

import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.WorkflowTexts;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.Priority;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/**
 * Bisects with {@link Bisection}: each midpoint is built as a {@code RebuildWorkflow} child, as a
 * lane builds its runs, at low priority and in a lane of its own the api recorded, so it neither
 * supersedes nor waits behind the lane's own runs. One build at a time. Before each build it asks
 * whether the lane was fixed meanwhile (and a {@link #laneFixed} signal cancels the build in
 * progress). A found commit is built once more, and its parent too; it is named only if both
 * results repeat.
 */
public class CulpritWorkflowImpl implements CulpritWorkflow {

  private static final Logger log = Workflow.getLogger(CulpritWorkflowImpl.class);

  /** The api's answers: retried until it takes them, as the ledger's are. */
  static final ActivityOptions API_OPTIONS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.CULPRIT)
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .build())
          .build();

  /**
   * Listing commits updates a mirror (a first clone may take minutes); a few tries, then give up.
   */
  static final ActivityOptions HISTORY_OPTIONS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.WATCH)
          .setStartToCloseTimeout(Duration.ofMinutes(10))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(5)
                  .build())
          .build();

  private final CulpritActivities api =
      Workflow.newActivityStub(CulpritActivities.class, API_OPTIONS);
  private final CommitHistoryActivities history =
      Workflow.newActivityStub(CommitHistoryActivities.class, HISTORY_OPTIONS);

  private CulpritRequest request;
  private BisectReport current;
  private FailureSignature original;
  private long fixedBy;
  private Promise<RunOutcome> building;

  /** The end of the bisection, thrown from wherever it is decided. */
  private static final class Ended extends RuntimeException {
    private final transient BisectReport report;

    Ended(BisectReport report) {
      super(report.status(), null, false, false);
      this.report = report;
    }
  }

  /** What one bisect build showed. */
  private record Verdict(long runId, boolean passed, boolean failedTheSameWay, String told) {}

  @Override
  public BisectReport find(CulpritRequest request) {
    this.request = request;
    current = new BisectReport(BisectReport.RUNNING, "listing commits", 0, 0, 0, null);
    List<CommitInfo> commits;
    try {
      commits = history.firstParentCommits(request.repo(), request.goodSha(), request.badSha());
    } catch (ActivityFailure failure) {
      return end(BisectReport.GAVE_UP, "could not list the commits: " + message(failure));
    }
    if (commits.size() <= 1) {
      log.info("run {}: one commit after the pass, nothing to bisect", request.failingRunId());
      current = withStatus(BisectReport.NOT_NEEDED, "one commit after the lane's last pass");
      return current;
    }
    original = api.failureOf(request.failingRunId());
    if (!original.blamesTheCode()) {
      return end(
          BisectReport.GAVE_UP,
          "run " + request.failingRunId() + " failed in " + original.describe() + ", not the code");
    }
    current =
        new BisectReport(
            BisectReport.RUNNING,
            "bisecting " + commits.size() + " commits after " + shortSha(request.goodSha()),
            commits.size(),
            0,
            Bisection.budget(commits.size()),
            null);
    report();
    try {
      return end(confirm(commits, search(commits)));
    } catch (Ended ended) {
      return end(ended.report);
    }
  }

  @Override
  public void laneFixed(long byRunId) {
    if (fixedBy == 0) {
      fixedBy = byRunId;
    }
  }

  @Override
  public BisectReport status() {
    return current;
  }

  /** The index of the first commit that fails the same way, its parent passing. */
  private int search(List<CommitInfo> commits) {
    Bisection bisection = new Bisection(commits.size());
    while (!bisection.isDone()) {
      if (bisection.isStuck()) {
        throw new Ended(
            withStatus(
                BisectReport.GAVE_UP,
                "the culprit is one of "
                    + shortSha(commits.get(bisection.firstSuspect()).sha())
                    + ".."
                    + shortSha(commits.get(bisection.lastSuspect()).sha())
                    + ", whose builds told nothing"));
      }
      int index = bisection.next();
      Verdict verdict = build(commits.get(index).sha());
      if (verdict.passed()) {
        bisection.record(index, true);
      } else if (verdict.failedTheSameWay()) {
        bisection.record(index, false);
      } else {
        log.info("run {}: {} skipped: {}", request.failingRunId(), index, verdict.told());
        bisection.skip(index);
      }
    }
    return bisection.culprit();
  }

  /** Builds the culprit and its parent once more: a flake must not be named. */
  private BisectReport confirm(List<CommitInfo> commits, int culprit) {
    CommitInfo suspect = commits.get(culprit);
    String parent = culprit == 0 ? request.goodSha() : commits.get(culprit - 1).sha();
    Verdict again = build(suspect.sha());
    if (!again.failedTheSameWay()) {
      return withStatus(
          BisectReport.GAVE_UP,
          "flaky: " + shortSha(suspect.sha()) + " failed, then " + again.told() + " when rebuilt");
    }
    Verdict parentAgain = build(parent);
    if (!parentAgain.passed()) {
      return withStatus(
          BisectReport.GAVE_UP,
          "flaky: " + shortSha(parent) + " passed, then " + parentAgain.told() + " when rebuilt");
    }
    Culprit named = Culprit.of(suspect, again.runId());
    return new BisectReport(
        BisectReport.FOUND,
        shortSha(suspect.sha())
            + " fails as run "
            + request.failingRunId()
            + " did; its parent passes",
        current.commits(),
        current.builds(),
        current.budget(),
        named);
  }

  /** One bisect build of {@code sha}, waited for; ends the bisection if the lane was fixed. */
  private Verdict build(String sha) {
    if (current.builds() >= current.budget()) {
      throw new Ended(
          withStatus(
              BisectReport.GAVE_UP, "no culprit within " + current.budget() + " bisect builds"));
    }
    stopIfFixed();
    RebuildRequest build = api.recordBisectBuild(request.failingRunId(), sha);
    current =
        new BisectReport(
            BisectReport.RUNNING,
            "building " + shortSha(sha) + " as run " + build.runId(),
            current.commits(),
            current.builds() + 1,
            current.budget(),
            null);
    report();
    RunOutcome outcome = await(build);
    stopIfFixed();
    return verdict(build.runId(), outcome);
  }

  private RunOutcome await(RebuildRequest build) {
    RebuildWorkflow child =
        Workflow.newChildWorkflowStub(RebuildWorkflow.class, childOptions(build));
    CancellationScope scope =
        Workflow.newCancellationScope(() -> building = Async.function(child::build, build));
    scope.run();
    Workflow.await(() -> building.isCompleted() || fixedBy != 0);
    if (!building.isCompleted()) {
      scope.cancel("lane fixed by run " + fixedBy);
    }
    try {
      return building.get();
    } catch (ChildWorkflowFailure | CanceledFailure e) {
      return new RunOutcome(Result.CANCELLED, "the bisect build ended: " + message(e));
    }
  }

  private Verdict verdict(long runId, RunOutcome outcome) {
    if (outcome.result() == Result.PASSED) {
      return new Verdict(runId, true, false, "passed");
    }
    if (outcome.result() != Result.FAILED) {
      return new Verdict(runId, false, false, outcome.result().wireName());
    }
    FailureSignature failure = api.failureOf(runId);
    boolean same = failure.sameAs(original);
    return new Verdict(runId, false, same, "failed in " + failure.describe());
  }

  private void stopIfFixed() {
    if (fixedBy == 0) {
      fixedBy = api.laneFixedBy(request.failingRunId());
    }
    if (fixedBy != 0) {
      throw new Ended(
          withStatus(BisectReport.STOPPED, "the lane was fixed by run " + fixedBy + " meanwhile"));
    }
  }

  private ChildWorkflowOptions childOptions(RebuildRequest build) {
    return ChildWorkflowOptions.newBuilder()
        .setWorkflowId(RebuildWorkflow.workflowId(build.runId()))
        .setTaskQueue(TaskQueues.CONTROL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(KilnSearchAttributes.forQueuedRun(build))
        .setStaticSummary(WorkflowTexts.laneRunSummary(build))
        .setPriority(
            Priority.newBuilder()
                .setPriorityKey(RunPriority.temporalKeyOf(build.priority()))
                .build())
        .build();
  }

  private BisectReport end(String status, String note) {
    return end(withStatus(status, note));
  }

  private BisectReport end(BisectReport report) {
    current = report;
    log.info("run {}: bisection {}: {}", request.failingRunId(), report.status(), report.note());
    report();
    return report;
  }

  private void report() {
    Workflow.setCurrentDetails("run " + request.failingRunId() + ": " + current.note());
    api.report(request.failingRunId(), current);
  }

  private BisectReport withStatus(String status, String note) {
    return new BisectReport(
        status, note, current.commits(), current.builds(), current.budget(), null);
  }

  private static String message(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause instanceof TemporalFailure temporal
        ? temporal.getOriginalMessage()
        : String.valueOf(cause.getMessage());
  }

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
