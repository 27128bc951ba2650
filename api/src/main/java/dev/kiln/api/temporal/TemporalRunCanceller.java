package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.lane.LaneWorkflow;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A lane run is cancelled through its lane ({@code cancelRun} signal), because the lane may still
 * hold it unstarted; a run started directly is cancelled on {@code kiln-run-<id>}. Either way the
 * run's workflow records the terminal {@code cancelled} itself once its commands are stopped.
 */
@Component
class TemporalRunCanceller implements RunCanceller {

  private static final Logger log = LoggerFactory.getLogger(TemporalRunCanceller.class);

  private final WorkflowClient client;
  private final String address;

  TemporalRunCanceller(WorkflowClient client, KilnProperties properties) {
    this.client = client;
    this.address = properties.temporal().address();
  }

  @Override
  public Delivery cancel(long runId, String lane) {
    try {
      if (lane != null) {
        try {
          client
              .newWorkflowStub(LaneWorkflow.class, LaneWorkflow.workflowId(lane))
              .cancelRun(runId);
          return Delivery.LANE;
        } catch (WorkflowNotFoundException closed) {
          // a lane closes only when idle or cancelled; a child it left behind is still cancellable
          log.info("run {}: lane {} is not open, cancelling the run's workflow", runId, lane);
        }
      }
      try {
        client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(runId)).cancel();
        return Delivery.RUN;
      } catch (WorkflowNotFoundException closed) {
        return Delivery.NO_WORKFLOW;
      }
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new CancelFailedException(TemporalErrors.unreachable(address, e), e);
    }
  }
}
