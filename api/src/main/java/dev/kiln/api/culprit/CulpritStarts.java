package dev.kiln.api.culprit;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.culprit.CulpritRequest;
import dev.kiln.workflows.culprit.CulpritWorkflow;
import dev.kiln.workflows.failure.FailureKind;
import dev.kiln.workflows.failure.FailureKinds;
import dev.kiln.workflows.submission.LocalSubmissions;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * What a run's end means for the culprit finder. A run that failed after a pass of its lane at
 * another commit starts a {@link CulpritWorkflow} ({@code kiln-culprit-<run id>}; it finds out how
 * many commits lie between and bisects only if there are several). A run that passed tells the
 * lane's bisections still running that the lane is fixed. Bisect builds themselves do neither.
 */
@Service
public class CulpritStarts {

  private static final Logger log = LoggerFactory.getLogger(CulpritStarts.class);

  private final RunRepository runs;
  private final CulpritStore store;
  private final WorkflowClient temporal;
  private final CulpritProperties properties;

  public CulpritStarts(
      RunRepository runs,
      CulpritStore store,
      WorkflowClient temporal,
      CulpritProperties properties) {
    this.runs = runs;
    this.store = store;
    this.temporal = temporal;
    this.properties = properties;
  }

  /**
   * @throws ApiException 503 when Temporal did not take the bisection: the worker repeats its
   *     report, and this call with it
   */
  public void runEnded(long runId) {
    Optional<RunRecord> found = runs.find(runId);
    if (!properties.enabled() || found.isEmpty() || store.bisectOf(runId).isPresent()) {
      return;
    }
    RunRecord run = found.get();
    if (run.result() == Result.PASSED) {
      store.runningInLane(run.lane()).stream()
          .filter(failing -> failing < runId)
          .forEach(failing -> tellFixed(failing, runId));
    } else if (run.result() == Result.FAILED) {
      brokeAfterPass(run).ifPresent(this::start);
    }
  }

  /** What to bisect when the run broke its lane, which passed last at another commit. */
  Optional<CulpritRequest> brokeAfterPass(RunRecord run) {
    if (run.sha() == null
        || LocalSubmissions.isSubmission(run.repo())
        || FailureKinds.classify(run.failureSummary()) == FailureKind.INFRASTRUCTURE) {
      return Optional.empty(); // nothing to bisect, or no commit to blame
    }
    return store
        .previousVerdict(run.lane(), run.id())
        .filter(previous -> Result.PASSED.wireName().equals(previous.result()))
        .filter(previous -> previous.sha() != null && !previous.sha().equals(run.sha()))
        .map(
            pass ->
                new CulpritRequest(
                    run.id(),
                    run.repo(),
                    run.arch(),
                    run.lane(),
                    pass.sha(),
                    pass.runId(),
                    run.sha()));
  }

  private void start(CulpritRequest request) {
    String workflowId = CulpritWorkflow.workflowId(request.failingRunId());
    CulpritWorkflow workflow =
        temporal.newWorkflowStub(
            CulpritWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.CULPRIT)
                // one bisection per failed run, whether the first still runs or ended
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary("culprit of run " + request.failingRunId())
                .build());
    try {
      WorkflowClient.start(workflow::find, request);
      log.info(
          "run {}: lane {} broke after run {}, looking for the culprit ({})",
          request.failingRunId(),
          LogSafe.escape(request.lane()),
          request.goodRunId(),
          workflowId);
    } catch (WorkflowExecutionAlreadyStarted e) {
      log.debug("run {}: {} was started already", request.failingRunId(), workflowId);
    } catch (RuntimeException e) {
      log.warn("run {}: {} not started: {}", request.failingRunId(), workflowId, e.toString());
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "could not start the culprit finder of run " + request.failingRunId() + "; report again");
    }
  }

  /** Best effort: a bisection also asks before each build whether its lane was fixed. */
  private void tellFixed(long failingRunId, long byRunId) {
    try {
      temporal
          .newWorkflowStub(CulpritWorkflow.class, CulpritWorkflow.workflowId(failingRunId))
          .laneFixed(byRunId);
      log.info("run {}: lane fixed by run {}, bisection told", failingRunId, byRunId);
    } catch (RuntimeException e) {
      log.info(
          "run {}: could not tell the bisection of run {}: {}",
          byRunId,
          failingRunId,
          e.toString());
    }
  }
}
