package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.RunPriority;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.Priority;
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
  public String start(RebuildRequest request, String runUrl) {
    RebuildWorkflow workflow =
        client.newWorkflowStub(RebuildWorkflow.class, options(request, runUrl));
    try {
      WorkflowExecution execution = WorkflowClient.start(workflow::build, request);
      return execution.getRunId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      // a retried start whose first attempt got through
      return e.getExecution().getRunId();
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new StartFailedException(
          "Temporal at "
              + address
              + " refused or is unreachable ("
              + TemporalErrors.describe(e)
              + ")",
          e);
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

  /**
   * Only what is known before the run starts; the workflow upserts {@code KilnSha} and moves phase
   * and result as it goes.
   */
  static SearchAttributes searchAttributes(RebuildRequest request) {
    SearchAttributes.Builder attributes =
        SearchAttributes.newBuilder()
            .set(KilnSearchAttributes.REPO, request.repo())
            .set(KilnSearchAttributes.BRANCH, request.ref() == null ? "" : request.ref())
            .set(KilnSearchAttributes.ARCH, request.arch())
            .set(KilnSearchAttributes.PHASE, Phase.QUEUED.wireName())
            .set(KilnSearchAttributes.RESULT, Result.BUILDING.wireName())
            .set(KilnSearchAttributes.RUN_ID, request.runId());
    if (request.mr() != null) {
      attributes.set(KilnSearchAttributes.MR, request.mr());
    }
    return attributes.build();
  }
}
