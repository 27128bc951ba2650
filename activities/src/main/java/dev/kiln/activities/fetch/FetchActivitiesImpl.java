package dev.kiln.activities.fetch;

import dev.kiln.activities.BackgroundHeartbeat;
import dev.kiln.activities.BuildHost;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.pipeline.PipelinePlanner;
import dev.kiln.activities.pipeline.PlanException;
import dev.kiln.activities.pipeline.PlannedBuild;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchRequest;
import dev.kiln.workflows.activities.FetchResult;
import dev.kiln.workflows.submission.LocalSubmissions;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.MDC;

/**
 * Fetch on the architecture's shared queue: mirror, checkout, plan. Whichever host runs this owns
 * the run from here on, so it answers with its own task queue, and the build slot the poll reserved
 * becomes the run's until its cleanup ({@link BuildSlots#keep}).
 */
public class FetchActivitiesImpl implements FetchActivities {

  private static final Duration LOG_DRAIN = Duration.ofSeconds(10);

  private static final Duration HEARTBEAT_EVERY = Duration.ofMillis(500);

  private final BuildHost host;
  private final StepLogs logs;
  private final GitFetcher fetcher;
  private final BuildSlots slots;
  private final FetchStarts starts;
  private final SubmissionFetcher submissions;
  private final List<String> labels;
  private final PipelinePlanner planner = new PipelinePlanner();

  /** A host that builds from git remotes only: a local submission's fetch fails. */
  public FetchActivitiesImpl(
      BuildHost host, StepLogs logs, BuildSlots slots, FetchStarts starts, GitFetcher fetcher) {
    this(host, logs, slots, starts, fetcher, null);
  }

  /**
   * @param fetcher gets the source onto this host, under the repository policy
   * @param submissions gets a local submission's upload instead ({@code repo} {@code local:…});
   *     {@code null} on a host without one
   */
  public FetchActivitiesImpl(
      BuildHost host,
      StepLogs logs,
      BuildSlots slots,
      FetchStarts starts,
      GitFetcher fetcher,
      SubmissionFetcher submissions) {
    this(host, logs, slots, starts, fetcher, submissions, List.of());
  }

  /**
   * @param labels this host's labels: a plan that requires one it lacks is not built here
   */
  public FetchActivitiesImpl(
      BuildHost host,
      StepLogs logs,
      BuildSlots slots,
      FetchStarts starts,
      GitFetcher fetcher,
      SubmissionFetcher submissions,
      List<String> labels) {
    this.labels = List.copyOf(labels);
    this.host = host;
    this.logs = logs;
    this.slots = slots;
    this.starts = starts;
    this.fetcher = fetcher;
    this.submissions = submissions;
  }

  @Override
  public FetchResult fetch(FetchRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    MDC.put("run_id", String.valueOf(request.runId()));
    RunAttempt attempt = new RunAttempt(request.runId(), request.attempt());
    starts.fetchStarted(attempt);
    // A clone can sit silent for a while (server-side packing): heartbeat from a timer, often, as
    // a cancelled run waits for its fetch to end (the worker sends them at most once a second).
    BackgroundHeartbeat heartbeat = BackgroundHeartbeat.start(context, HEARTBEAT_EVERY, attempt);
    // A fetched run goes on building, its lines uploading meanwhile; a failed one ends here.
    boolean fetched = false;
    try (StepLog stepLog =
        logs.open(attempt, request.logSeqBase(), context.getInfo().getAttempt())) {
      stepLog.kiln("fetch on " + host.name() + " (attempt " + context.getInfo().getAttempt() + ")");
      GitFetcher.CheckedOut checkedOut = checkOut(request, line -> stepLog.line("fetch", line));
      if (heartbeat.workerShuttingDown()) {
        // Drained or stopping: the fetch is retried on a host that stays, as a lost host's is.
        stepLog.kiln("worker on " + host.name() + " is shutting down: removing the workspace");
        fetcher.remove(checkedOut.workspace());
        throw ApplicationFailure.newFailure(
            "worker on " + host.name() + " shut down during fetch", FailureTypes.HOST_LOST);
      }
      if (heartbeat.cancelRequested()) {
        // The workflow has moved on without this result: nobody would clean the workspace.
        stepLog.kiln("fetch cancelled: removing the workspace");
        fetcher.remove(checkedOut.workspace());
        throw ApplicationFailure.newNonRetryableFailure("fetch cancelled", "KilnFetchCancelled");
      }
      PlannedBuild planned = plan(checkedOut, stepLog);
      FetchResult result =
          new FetchResult(
              host.queue(),
              host.name(),
              checkedOut.sha(),
              checkedOut.branch(),
              checkedOut.workspace().toString(),
              planned.version(),
              planned.plan(),
              labels);
      if (!result.hostMayBuild()) {
        handOver(planned, checkedOut, stepLog);
        return result;
      }
      fetched = true;
      // The workflow's runs are keyed by workflow id: host activities and cleanup see the same one.
      slots.keep(context.getInfo().getWorkflowId(), checkedOut.workspace());
      return result;
    } catch (FetchException e) {
      throw asFailure(e.getMessage(), e.failureType(), e.retryable());
    } catch (IOException e) {
      throw Activity.wrap(e);
    } finally {
      heartbeat.close();
      if (!fetched) {
        // the run ends here, and the ledger ignores lines that arrive after its end
        logs.awaitUploaded(request.runId(), LOG_DRAIN);
      }
      MDC.remove("run_id");
    }
  }

  /**
   * The plan requires a label this host lacks: the workspace goes at once and the build slot with
   * the fetch's end, and the workflow fetches again on the queue of hosts that have every label.
   */
  private void handOver(PlannedBuild planned, GitFetcher.CheckedOut checkedOut, StepLog stepLog)
      throws IOException {
    List<String> requires = planned.plan().requires();
    List<String> missing = requires.stream().filter(l -> !labels.contains(l)).toList();
    stepLog.kiln(
        "kiln.yaml requires ["
            + String.join(", ", requires)
            + "]; "
            + host.name()
            + " lacks ["
            + String.join(", ", missing)
            + "]: the run moves to a host with every label");
    fetcher.remove(checkedOut.workspace());
  }

  /** A git remote's commit, or a local submission's upload ({@link LocalSubmissions}). */
  private GitFetcher.CheckedOut checkOut(FetchRequest request, Consumer<String> progress)
      throws FetchException, IOException {
    if (!LocalSubmissions.isSubmission(request.repo())) {
      return fetcher.fetch(
          request.repo(),
          request.ref(),
          request.runId(),
          Workspaces.laneKey(request.repo(), request.ref(), request.arch()),
          progress);
    }
    if (submissions == null) {
      throw new BadRepositoryException("this build host cannot fetch local submissions");
    }
    return submissions.fetch(request.runId(), request.ref(), progress);
  }

  /** Reads the plan; a workspace whose plan is invalid is removed at once, as nothing will run. */
  private PlannedBuild plan(GitFetcher.CheckedOut checkedOut, StepLog stepLog) throws IOException {
    try {
      PlannedBuild planned = planner.plan(checkedOut.workspace());
      stepLog.kiln("plan: " + planned.plan().origin());
      return planned;
    } catch (PlanException e) {
      stepLog.kiln("plan: " + e.getMessage());
      fetcher.remove(checkedOut.workspace());
      throw asFailure(e.getMessage(), e.failureType(), false);
    }
  }

  private static ApplicationFailure asFailure(String message, String type, boolean retryable) {
    return retryable
        ? ApplicationFailure.newFailure(message, type)
        : ApplicationFailure.newNonRetryableFailure(message, type);
  }
}
