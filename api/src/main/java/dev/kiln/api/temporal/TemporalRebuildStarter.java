package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.WorkflowTexts;
import dev.kiln.workflows.lane.LaneInput;
import dev.kiln.workflows.lane.LaneWorkflow;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
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

  @Override
  public String start(RebuildRequest request, String lane, String runUrl) {
    return lane == null ? startAlone(request, runUrl) : submitToLane(request, lane);
  }

  /**
   * Signal-with-start: atomically starts the lane or finds the running one, and returns once
   * Temporal has the request in the lane's history: the run is accepted durably without waiting for
   * a worker to run the lane, which under a burst of pushes is what a request would wait on. The
   * lane ignores a run id it already took, so a retried call builds nothing twice.
   */
  private String submitToLane(RebuildRequest request, String lane) {
    LaneWorkflow workflow =
        client.newWorkflowStub(
            LaneWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(LaneWorkflow.workflowId(lane))
                .setTaskQueue(TaskQueues.CONTROL)
                .setStaticSummary("lane " + WorkflowTexts.laneSummary(lane))
                .build());
    try {
      BatchRequest batch = client.newSignalWithStartRequest();
      batch.add(workflow::run, LaneInput.of(lane, request));
      batch.add(workflow::enqueue, request);
      client.signalWithStart(batch);
      return null;
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new StartFailedException(TemporalErrors.unreachable(address, e), e);
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
        // the fetch inherits it: the priority key orders the build queue, the repository's
        // fairness key and weight share it out among repositories
        .setPriority(FairQueues.priority(request))
        .build();
  }

  static SearchAttributes searchAttributes(RebuildRequest request) {
    return KilnSearchAttributes.forQueuedRun(request);
  }
}
