package dev.kiln.api.notify;

import dev.kiln.api.culprit.CulpritStore;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.notify.NotificationRequest;
import dev.kiln.workflows.notify.NotificationWorkflow;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Starts the notifications of a run of a registered repository when the ledger records its start
 * (fetch resolved the commit) or its end: a {@link NotificationWorkflow} per target and event,
 * whose id names the run, target and event, so that a report the ledger gets twice starts nothing
 * more, whether the first workflow still runs or ended.
 *
 * <p>Commit status targets hear of both; a webhook of the end only, and by default only when the
 * run broke or fixed its lane ({@link LaneChange}).
 */
@Service
public class Notifier {

  public static final String STARTED = "started";
  public static final String ENDED = "ended";

  /** A culprit was named for a failed run: its webhooks hear of it. */
  public static final String CULPRIT = "culprit";

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private final RunRepository runs;
  private final RepoStore repos;
  private final NotificationStore store;
  private final WorkflowClient temporal;
  private final NotifyProperties properties;
  private final CulpritStore culprits;

  public Notifier(
      RunRepository runs,
      RepoStore repos,
      NotificationStore store,
      WorkflowClient temporal,
      NotifyProperties properties,
      CulpritStore culprits) {
    this.culprits = culprits;
    this.runs = runs;
    this.repos = repos;
    this.store = store;
    this.temporal = temporal;
    this.properties = properties;
  }

  /**
   * @throws ApiException 503 when Temporal did not take a notification: the worker repeats its
   *     report, and this call with it
   */
  public void runStarted(long runId) {
    notify(runId, STARTED);
  }

  /** As {@link #runStarted}, for the run's end. */
  public void runEnded(long runId) {
    notify(runId, ENDED);
  }

  /**
   * The culprit finder named the commit that broke run {@code runId}'s lane: each webhook target of
   * its repository gets event {@code culprit}, whose run view carries it.
   */
  public void culpritNamed(long runId) {
    Optional<RunRecord> run = runs.find(runId);
    Optional<RegisteredRepo> repo = run.flatMap(r -> repos.findByUrl(java.util.List.of(r.repo())));
    for (NotifyTarget target : repo.map(RegisteredRepo::notifyTargets).orElse(List.of())) {
      if (target.isWebhook()) {
        store.add(runId, target, CULPRIT);
        start(runId, target.key(), CULPRIT);
      }
    }
  }

  private void notify(long runId, String event) {
    Optional<RunRecord> found = runs.find(runId);
    // a bisect build says nothing of its lane: nobody is told of it
    if (found.isEmpty() || culprits.bisectOf(runId).isPresent()) {
      return;
    }
    RunRecord run = found.get();
    Optional<RegisteredRepo> repo = repos.findByUrl(java.util.List.of(run.repo()));
    if (repo.isEmpty()) {
      return;
    }
    for (NotifyTarget target : repo.get().notifyTargets()) {
      if (isDue(target, run, event)) {
        store.add(runId, target, event);
        start(runId, target.key(), event);
      }
    }
  }

  private boolean isDue(NotifyTarget target, RunRecord run, String event) {
    if (!target.isWebhook()) {
      return true;
    }
    return event.equals(ENDED)
        && (target.notifiesEveryRun() || laneChange(store, run) != LaneChange.NONE);
  }

  static LaneChange laneChange(NotificationStore store, RunRecord run) {
    return LaneChange.of(store.previousVerdict(run.lane(), run.id()).orElse(null), run.result());
  }

  private void start(long runId, String targetKey, String event) {
    String workflowId = NotificationWorkflow.workflowId(runId, targetKey, event);
    NotificationWorkflow workflow =
        temporal.newWorkflowStub(
            NotificationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.NOTIFY)
                // never a second delivery of the same notification, running or ended
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                .build());
    try {
      WorkflowClient.start(
          workflow::deliver, new NotificationRequest(runId, targetKey, event, properties.retry()));
      log.info("run {}: {} notification {} started", runId, event, workflowId);
    } catch (WorkflowExecutionAlreadyStarted e) {
      log.debug("run {}: {} notification {} was started already", runId, event, workflowId);
    } catch (RuntimeException e) {
      log.warn(
          "run {}: {} notification {} not started: {}", runId, event, workflowId, e.toString());
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "could not start the " + event + " notification of run " + runId + "; report again");
    }
  }
}
