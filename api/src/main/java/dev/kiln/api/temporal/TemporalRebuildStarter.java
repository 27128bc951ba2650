package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.RunPriority;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneAdmission;
import dev.kiln.workflows.lane.LaneInput;
import dev.kiln.workflows.lane.LaneWorkflow;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.Priority;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Starts {@code RebuildWorkflow} with what the Web UI needs to list and explain it: search
 * attributes, a static summary and details, and the run's priority.
 */
@Component
class TemporalRebuildStarter implements RebuildStarter {

  private final WorkflowClient client;
  private final String address;

  TemporalRebuildStarter(WorkflowClient client, KilnProperties properties) {
    this.client = client;
    this.address = properties.temporal().address();
  }

  /** How long a request waits for a lane busy with a burst of others before it gives up. */
  static final Duration BUSY_LANE_PATIENCE = Duration.ofSeconds(20);

  @Override
  public String start(RebuildRequest request, String lane, String runUrl) {
    return lane == null ? startAlone(request, runUrl) : submitToLane(request, lane);
  }

  /**
   * Update-with-start: atomically starts the lane or attaches to the running one, and returns once
   * the lane has taken the run. The update id is the run id, so a retried call gets the first
   * answer instead of a second build.
   */
  private String submitToLane(RebuildRequest request, String lane) {
    long began = System.nanoTime();
    LaneWorkflow workflow =
        client.newWorkflowStub(
            LaneWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(LaneWorkflow.workflowId(lane))
                .setTaskQueue(TaskQueues.CONTROL)
                // Left unset, the server would answer "already started" for every push after
                // the first one; a lane that closed when idle must start again, so no reuse rule.
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .setStaticSummary("lane " + WorkflowTexts.laneSummary(lane))
                .build());
    try {
      for (long backoff = 100; ; backoff = Math.min(backoff * 2, 2_000)) {
        try {
          WorkflowClient.executeUpdateWithStart(
              workflow::submit,
              request,
              UpdateOptions.<LaneAdmission>newBuilder()
                  .setUpdateId(Long.toString(request.runId()))
                  .setWaitForStage(WorkflowUpdateStage.COMPLETED)
                  .build(),
              new WithStartWorkflowOperation<>(workflow::run, LaneInput.of(lane, request)));
          return null;
        } catch (WorkflowException | StatusRuntimeException e) {
          if (!isBusyLane(e) || System.nanoTime() - began > BUSY_LANE_PATIENCE.toNanos()) {
            throw e;
          }
          // the same update id again: if the first try got through, this one gets its answer
          sleep(backoff);
        }
      }
    } catch (WorkflowUpdateException e) {
      if (String.valueOf(e.getCause() == null ? null : e.getCause().getMessage())
          .contains("already took run " + request.runId())) {
        return null;
      }
      throw new StartFailedException(
          "lane " + lane + " refused run " + request.runId() + ": " + TemporalErrors.describe(e),
          e);
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new StartFailedException(TemporalErrors.unreachable(address, e), e);
    }
  }

  /**
   * A lane under a burst of requests refuses some for a moment: more updates in flight than the
   * server allows per workflow (10), or updates aborted because the lane continued as new between
   * builds. Both go away once the lane takes the ones before.
   */
  static boolean isBusyLane(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        Status.Code code = status.getStatus().getCode();
        String description = String.valueOf(status.getStatus().getDescription());
        return code == Status.Code.RESOURCE_EXHAUSTED
            || (code == Status.Code.UNAVAILABLE && description.contains("update was aborted"));
      }
    }
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the lane was busy", e);
    }
  }

  private String startAlone(RebuildRequest request, String runUrl) {
    RebuildWorkflow workflow =
        client.newWorkflowStub(RebuildWorkflow.class, options(request, runUrl));
    try {
      WorkflowExecution execution = WorkflowClient.start(workflow::build, request);
      return execution.getRunId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      // a retried start whose first attempt got through
      return e.getExecution().getRunId();
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new StartFailedException(TemporalErrors.unreachable(address, e), e);
    }
  }

  static WorkflowOptions options(RebuildRequest request, String runUrl) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(RebuildWorkflow.workflowId(request.runId()))
        .setTaskQueue(TaskQueues.CONTROL)
        // a run id is never reused: a second start of the same run must not build it again
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(searchAttributes(request))
        .setStaticSummary(WorkflowTexts.summary(request))
        .setStaticDetails(WorkflowTexts.details(request, runUrl))
        .setPriority(
            Priority.newBuilder()
                .setPriorityKey(
                    RunPriority.fromWireName(request.priority())
                        .orElse(RunPriority.NORMAL)
                        .temporalKey())
                .build())
        .build();
  }

  static SearchAttributes searchAttributes(RebuildRequest request) {
    return KilnSearchAttributes.forQueuedRun(request);
  }
}
