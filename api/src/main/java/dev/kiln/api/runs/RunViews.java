package dev.kiln.api.runs;

import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.culprit.CulpritStore;
import dev.kiln.api.notify.NotificationStore;
import dev.kiln.api.queue.QueueService;
import dev.kiln.api.temporal.TemporalLinks;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.DatabaseUnavailable;
import dev.kiln.api.web.QueryStrings;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.failure.FailureKinds;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Assembles run views and pages of runs from the ledger. */
@Service
public class RunViews {

  /** The step name a gate's log lines are written under ({@code gate:unit}). */
  public static String gateStep(String gateName) {
    return "gate:" + gateName;
  }

  private final RunRepository runs;
  private final RunViewRepository details;
  private final TemporalLinks links;
  private final QueueService queue;
  private final FinishedRunViews finished;
  private final NotificationStore notifications;
  private final CulpritStore culprits;

  public RunViews(
      RunRepository runs,
      RunViewRepository details,
      TemporalLinks links,
      QueueService queue,
      FinishedRunViews finished,
      NotificationStore notifications,
      CulpritStore culprits) {
    this.notifications = notifications;
    this.culprits = culprits;
    this.runs = runs;
    this.details = details;
    this.links = links;
    this.queue = queue;
    this.finished = finished;
  }

  /**
   * Drops a finished run's view from this instance's memory: retention changed it. (Other instances
   * notice within {@link FinishedRunViews#EXPIRY}.)
   */
  public void forget(long id) {
    finished.forget(id);
  }

  /**
   * {@code GET /runs/{id}}; a finished run's view comes from memory after its first read, its
   * notifications, retries and bisection are read afresh: they go on changing after the run ended.
   * With the database away, a finished run this instance has in memory is still served, with the
   * notifications as last read; anything else fails as the database does (503).
   */
  public RunView view(long id) {
    Optional<RunView> remembered = finished.find(id);
    RunView view = remembered.orElseGet(() -> read(id));
    List<NotificationStore.Notification> notes;
    List<RunView.Retry> retries;
    RunView withBisection;
    // A run still building has neither retries nor a bisection: both come after its end (a retry
    // of a building run is refused, a bisection starts from a failed run). Its view, polled while a
    // user watches it, does not look for them: two of the five statements such a poll made.
    boolean building = !Result.fromWireName(view.run().result()).isTerminal();
    try {
      notes = notifications.ofRun(id);
      retries = building ? List.of() : retries(id);
      withBisection = view.withBisection(building ? culprits.probeView(id) : culprits.view(id));
    } catch (RuntimeException e) {
      if (remembered.isPresent() && DatabaseUnavailable.isCause(e)) {
        return finished.lastServed(id).orElse(remembered.get());
      }
      throw e;
    }
    RunView complete =
        withBisection
            .withRetries(retries)
            .withNotifications(
                notes.stream()
                    .map(
                        n ->
                            new RunView.Notification(
                                n.target(),
                                n.event(),
                                n.state(),
                                n.attempts(),
                                n.lastError(),
                                n.lastAttemptAt(),
                                n.posted()))
                    .toList());
    finished.served(id, complete);
    return complete;
  }

  /** The runs that retry run {@code id}: they come after it ended, so never from the cache. */
  private List<RunView.Retry> retries(long id) {
    return runs.retriesOf(id).stream()
        .map(
            retry ->
                new RunView.Retry(
                    retry.id(),
                    RunSummary.retriedBy(retry),
                    retry.result().wireName(),
                    retry.flaky(),
                    ApiPaths.run(retry.id())))
        .toList();
  }

  private RunView read(long id) {
    long generation = finished.generation();
    RunViewRepository.RunDetails found =
        details.find(id).orElseThrow(() -> ApiException.runNotFound(id));
    RunRecord run = found.run();
    RunView view = assemble(found);
    finished.offer(run, view, generation);
    return view;
  }

  private RunView assemble(RunViewRepository.RunDetails found) {
    RunRecord run = found.run();
    if (!waits(run)) {
      return assemble(found, null);
    }
    Optional<Integer> position = queue.position(run.id());
    return assemble(found, queue.waitingReason(run.arch(), position))
        .withQueuePosition(position.orElse(null));
  }

  private RunView assemble(RunViewRepository.RunDetails found, String waitingReason) {
    RunRecord run = found.run();
    long id = run.id();
    return new RunView(
        summary(run),
        waitingReason,
        found.gates().stream().map(g -> gate(id, g)).toList(),
        found.artifacts(),
        run.host(),
        found.restarts(),
        run.triggeredBy(),
        found.sandbox().kind(),
        found.sandbox().limits(),
        found.steps(),
        found.retention(),
        List.of(),
        StepTimeline.of(
            found.stepChunks(),
            found.kilnLines(),
            found.gates().stream()
                .map(
                    g ->
                        new StepTimeline.GateTimes(
                            g.name(), g.status().wireName(), g.startedAt(), g.finishedAt()))
                .toList(),
            new StepTimeline.RunState(run.result())));
  }

  /**
   * One page of runs, newest first. The {@code next} link repeats the filters and continues before
   * the last run of this page; it is null when this page is the last.
   */
  public RunPage page(RunFilter filter, int limit) {
    return page(filter, RepoPatterns.any(), limit);
  }

  /** As {@link #page(RunFilter, int)}, of the repositories {@code visible} only. */
  public RunPage page(RunFilter filter, RepoPatterns visible, int limit) {
    // one extra row tells whether another page exists without a count query
    List<RunRecord> rows = runs.list(filter, visible, limit + 1);
    boolean more = rows.size() > limit;
    List<RunRecord> page = more ? rows.subList(0, limit) : rows;
    String next = more ? nextLink(filter, limit, page.get(page.size() - 1).id()) : null;
    return new RunPage(page.stream().map(this::summary).toList(), next);
  }

  /** {@code GET /state}: the newest run of every lane, newest first. */
  public List<LaneState> state() {
    return state(RepoPatterns.any());
  }

  /** As {@link #state()}, the lanes of the repositories {@code visible} only. */
  public List<LaneState> state(RepoPatterns visible) {
    List<RunRecord> latest =
        runs.latestPerLane().stream().filter(run -> visible.matches(run.repo())).toList();
    Map<Long, RunRecord> retries =
        runs.newestRetriesOf(latest.stream().map(RunRecord::id).toList());
    return latest.stream().map(run -> laneState(run, retries.get(run.id()))).toList();
  }

  private static LaneState laneState(RunRecord run, RunRecord retry) {
    boolean retriedFlaky = retry != null && retry.flaky() && run.result() == Result.FAILED;
    return new LaneState(
        run.lane(),
        run.id(),
        run.sha(),
        run.phase().wireName(),
        run.result().wireName(),
        run.elapsedSeconds(),
        run.failureSummary(),
        run.flaky() || retriedFlaky,
        retry == null ? null : retry.id());
  }

  /**
   * {@code GET /mr-task/{mr}}: the merge request's newest {@code limit} runs, newest first.
   *
   * @throws ApiException 404 when it has none
   */
  public MrRuns mrRuns(String mr, int limit) {
    return mrRuns(mr, RepoPatterns.any(), limit);
  }

  /** As {@link #mrRuns(String, int)}, the runs of the repositories {@code visible} only. */
  public MrRuns mrRuns(String mr, RepoPatterns visible, int limit) {
    List<RunRecord> rows =
        runs.list(new RunFilter(null, null, mr, null, null, null, null), visible, limit);
    if (rows.isEmpty()) {
      // the message member is what clients of the MR endpoint read (issue 4)
      throw ApiException.notFound("no runs for merge request " + mr)
          .with("message", "No builds found for the given MR");
    }
    return new MrRuns(mr, rows.stream().map(this::summary).toList());
  }

  private static boolean waits(RunRecord run) {
    return run.phase() == Phase.QUEUED && run.result() == Result.BUILDING;
  }

  private RunSummary summary(RunRecord run) {
    return new RunSummary(
        run.id(),
        run.repo(),
        run.ref(),
        run.branch(),
        run.sha(),
        run.arch(),
        run.lane(),
        run.mr(),
        run.priority(),
        run.version(),
        run.phase().wireName(),
        run.result().wireName(),
        run.queuedAt(),
        run.startedAt(),
        run.finishedAt(),
        run.elapsedSeconds(),
        run.failureSummary(),
        run.result() == Result.FAILED
            ? FailureKinds.classify(run.failureSummary()).wireName()
            : null,
        run.supersededBy(),
        run.cancelledBy(),
        run.retryOf(),
        temporal(run),
        RunSummary.retriedBy(run),
        run.flaky());
  }

  private RunView.Temporal temporal(RunRecord run) {
    String workflowId =
        run.workflowId() == null ? RebuildWorkflow.workflowId(run.id()) : run.workflowId();
    return new RunView.Temporal(workflowId, run.temporalRunId(), links.workflow(workflowId));
  }

  private static RunView.Gate gate(long runId, GateRunRecord gate) {
    String logRef =
        QueryStrings.link(ApiPaths.runLogs(runId), Map.of("step", gateStep(gate.name())));
    return new RunView.Gate(
        gate.name(),
        gate.status().wireName(),
        gate.required(),
        gate.summary(),
        gate.tests(),
        logRef,
        gate.failures());
  }

  private static String nextLink(RunFilter filter, int limit, long lastId) {
    Map<String, Object> params = new LinkedHashMap<>();
    putIfPresent(params, "repo", filter.repo());
    putIfPresent(params, "branch", filter.branch());
    putIfPresent(params, "mr", filter.mr());
    putIfPresent(params, "arch", filter.arch());
    putIfPresent(params, "result", filter.result() == null ? null : filter.result().wireName());
    putIfPresent(params, "since", filter.since());
    params.put("limit", limit);
    params.put("before", lastId);
    return QueryStrings.link(ApiPaths.RUNS, params);
  }

  private static void putIfPresent(Map<String, Object> params, String name, Object value) {
    if (value != null) {
      params.put(name, value);
    }
  }
}
