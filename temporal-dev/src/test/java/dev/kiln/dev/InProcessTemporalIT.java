package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.KilnSearchAttributes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import org.junit.jupiter.api.Test;

class InProcessTemporalIT {

  @Test
  void servesOnItsPortWithKilnSearchAttributes() {
    int port = Ports.freePort();
    try (InProcessTemporal temporal = InProcessTemporal.start(port)) {
      temporal.awaitReady();

      assertThat(temporal.address()).isEqualTo("127.0.0.1:" + port);
      assertThat(temporal.uiUrl()).isEmpty();
      TemporalClients.startProbe(temporal.address(), "in-process-probe");
      WorkflowExecutionDescription run =
          TemporalClients.describe(temporal.address(), "in-process-probe");
      assertThat(run.getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      assertThat(run.getTypedSearchAttributes().get(KilnSearchAttributes.RUN_ID)).isEqualTo(42L);
    }
  }
}
