package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.Durations;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchResult;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a run's activities are scheduled: on which queue, with which timeouts, retries and
 * cancellation. The fetch goes to the architecture's shared queue and may be retried; the steps on
 * the host that took it go to that host's queue with timeouts short enough to notice a lost host,
 * and run once (a command is not idempotent).
 */
final class RebuildActivityOptions {

  /** How long a host queue may hold a task with nobody polling before the host counts as lost. */
  static final Duration HOST_SCHEDULE_TO_START = Duration.ofSeconds(10);

  /**
   * A worker that dies mid-command stops heartbeating; this is how soon that is noticed. A live
   * host's commands heartbeat every 250 ms, sent at most every 500 ms, and its other host
   * activities every second: at least five chances to be heard before it counts as lost.
   */
  static final Duration HOST_HEARTBEAT = Duration.ofSeconds(5);

  /** What {@link #HOST_SCHEDULE_TO_START} and {@link #HOST_HEARTBEAT} were before 5 s and 10 s. */
  static final Duration OLD_HOST_SCHEDULE_TO_START = Duration.ofSeconds(30);

  static final Duration OLD_HOST_HEARTBEAT = Duration.ofSeconds(15);

  /**
   * Version of the host timeouts: 1 notices a lost host within {@link #HOST_HEARTBEAT} (or {@link
   * #HOST_SCHEDULE_TO_START} between steps); before it, 15 s and 30 s.
   */
  static final String FAST_HOST_LOSS_CHANGE = "fast-host-loss";

  /**
   * Version of the fetch's heartbeat timeout: 1 notices a fetch lost with its host within {@link
   * #HOST_HEARTBEAT}; before it, {@link #OLD_FETCH_HEARTBEAT}. A host cut off from the network
   * still has its long polls open on the server, which hands them the next fetch of its arch: the
   * restart of the very run it lost waited a minute for that fetch to time out.
   */
  static final String FAST_FETCH_LOSS_CHANGE = "fast-fetch-loss";

  static final Duration OLD_FETCH_HEARTBEAT = Duration.ofMinutes(1);

  /** Room over the commands' own timeouts, which the activity enforces with a precise message. */
  private static final Duration ACTIVITY_TIMEOUT_MARGIN = Duration.ofMinutes(5);

  private static final RetryOptions FETCH_RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(2))
          .setMaximumInterval(Duration.ofSeconds(30))
          .setMaximumAttempts(5)
          .setDoNotRetry(FailureTypes.BUILD_FAILURES)
          .build();

  /** A command is not idempotent (it may have pushed, written caches): never rerun it in place. */
  private static final RetryOptions RUN_ONCE =
      RetryOptions.newBuilder().setMaximumAttempts(1).build();

  private static final RetryOptions HOST_RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setMaximumAttempts(3)
          .setDoNotRetry(FailureTypes.BUILD_FAILURES)
          .build();

  /**
   * Version of label routing: 1 schedules the fetch of a run that requires labels on the queue of
   * its arch and labels ({@link TaskQueues#build(String, java.util.Collection)}), which only hosts
   * with every label poll. Asked only for such runs, so runs without labels record no marker.
   */
  static final String LABEL_ROUTING_CHANGE = "label-routing";

  private final RebuildRequest request;

  /**
   * What the request requires, and later what its kiln.yaml requires too ({@link #requireAlso}).
   */
  private final Set<String> requires;

  RebuildActivityOptions(RebuildRequest request) {
    this.request = request;
    this.requires = new LinkedHashSet<>(request.requires());
  }

  /**
   * Adds the labels a fetched plan requires (kiln.yaml {@code requires:}): the fetches from here
   * on, a restart's included, go to the hosts that have all of them.
   */
  void requireAlso(List<String> labels) {
    requires.addAll(labels);
  }

  /** Every label a host must have to build the run. */
  List<String> requires() {
    return List.copyOf(requires);
  }

  /**
   * Whether this run is routed by labels: it requires some, on a workflow version that routes them.
   * Histories recorded before labels have none and take the arch queue as before.
   */
  boolean routedByLabels() {
    return !requires.isEmpty()
        && Workflow.getVersion(LABEL_ROUTING_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /** The queue the fetch goes to: the arch's, or the arch's and labels' for a labelled run. */
  private String fetchQueue() {
    return routedByLabels()
        ? TaskQueues.build(request.arch(), requires)
        : TaskQueues.build(request.arch());
  }

  /** Whether a worker can take the run: of its arch, and with every label it requires. */
  boolean served(LedgerActivities ledger) {
    return routedByLabels()
        ? ledger.servedWithLabels(request.arch(), requires())
        : ledger.archServed(request.arch());
  }

  /** The failure summary of a run no worker took, in the words of {@link #served}. */
  String noWorkerSummary() {
    if (routedByLabels()) {
      return WorkerLabels.noWorkerSummary(request.arch(), requires());
    }
    return "no worker for arch "
        + request.arch()
        + " within "
        + Durations.format(Duration.ofSeconds(request.noWorkerTimeoutSeconds()));
  }

  /**
   * @param limited whether the fetch fails after {@code noWorkerTimeoutSeconds} unstarted (the path
   *     of histories recorded before {@link RebuildWorkflowImpl#NO_WORKER_WATCH_CHANGE}); never for
   *     a restart after a lost host, whose arch was served moments ago
   * @param settles whether cancelling the fetch waits until it has ended ({@link
   *     RebuildWorkflowImpl#FETCH_SETTLES_CHANGE})
   */
  FetchActivities fetchStub(boolean limited, boolean settles) {
    ActivityOptions.Builder options =
        ActivityOptions.newBuilder()
            .setTaskQueue(fetchQueue())
            .setStartToCloseTimeout(Duration.ofHours(1))
            .setHeartbeatTimeout(fetchHeartbeat())
            .setRetryOptions(FETCH_RETRY)
            .setSummary("fetch " + request.repo() + " " + displayRef());
    if (settles) {
      options.setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
    }
    // Only when asked for: histories recorded without the limit must replay with the same options.
    // Schedule-to-start timeouts are not retried, so the run fails as soon as the limit passes.
    if (request.noWorkerTimeoutSeconds() > 0 && limited) {
      options.setScheduleToStartTimeout(Duration.ofSeconds(request.noWorkerTimeoutSeconds()));
    }
    return Workflow.newActivityStub(FetchActivities.class, options.build());
  }

  BuildActivities hostStub(FetchResult fetched) {
    return Workflow.newActivityStub(
        BuildActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(fetched.hostQueue())
            .setScheduleToStartTimeout(hostScheduleToStart())
            .setStartToCloseTimeout(hostActivityTimeout(fetched.plan()))
            .setHeartbeatTimeout(hostHeartbeat())
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .setRetryOptions(RUN_ONCE)
            .setSummary("on " + fetched.host())
            .build(),
        Map.of(
            "Stage",
            hostOptions(fetched, HOST_RETRY),
            "Cleanup",
            hostOptions(fetched, HOST_RETRY),
            "Stop",
            stopOptions(fetched)));
  }

  /**
   * A stop is worth something only at once: a host that does not take it within the host
   * schedule-to-start is lost anyway, and its commands die with it.
   */
  private ActivityOptions stopOptions(FetchResult fetched) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(fetched.hostQueue())
        .setScheduleToStartTimeout(hostScheduleToStart())
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RUN_ONCE)
        .setSummary("on " + fetched.host())
        .build();
  }

  private ActivityOptions hostOptions(FetchResult fetched, RetryOptions retry) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(fetched.hostQueue())
        .setScheduleToStartTimeout(hostScheduleToStart())
        .setStartToCloseTimeout(Duration.ofMinutes(30))
        .setHeartbeatTimeout(hostHeartbeat())
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setRetryOptions(retry)
        .setSummary("on " + fetched.host())
        .build();
  }

  private boolean fastHostLoss() {
    return Workflow.getVersion(FAST_HOST_LOSS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  private Duration hostScheduleToStart() {
    return fastHostLoss() ? HOST_SCHEDULE_TO_START : OLD_HOST_SCHEDULE_TO_START;
  }

  /** The fetch heartbeats from a timer every 500 ms, sent at most once a second. */
  private Duration fetchHeartbeat() {
    int version = Workflow.getVersion(FAST_FETCH_LOSS_CHANGE, Workflow.DEFAULT_VERSION, 1);
    return version >= 1 ? HOST_HEARTBEAT : OLD_FETCH_HEARTBEAT;
  }

  private Duration hostHeartbeat() {
    return fastHostLoss() ? HOST_HEARTBEAT : OLD_HOST_HEARTBEAT;
  }

  /** The longest a host activity can legitimately take: all commands' timeouts plus margin. */
  private static Duration hostActivityTimeout(PipelinePlan plan) {
    long seconds = 0;
    for (CommandStep step : plan.compile()) {
      seconds += step.timeoutSeconds();
    }
    for (GateSpec spec : plan.gates()) {
      seconds = Math.max(seconds, spec.timeoutSeconds());
    }
    return Duration.ofSeconds(seconds).plus(ACTIVITY_TIMEOUT_MARGIN);
  }

  private String displayRef() {
    return request.ref() == null ? "(default branch)" : request.ref();
  }
}
