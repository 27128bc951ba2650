package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Temporal is UP when its frontend answers a cheap call within the health timeout. */
@Component
class TemporalHealthIndicator implements HealthIndicator {

  private final WorkflowServiceStubs stubs;
  private final KilnProperties.Temporal temporal;

  TemporalHealthIndicator(WorkflowServiceStubs stubs, KilnProperties properties) {
    this.stubs = stubs;
    this.temporal = properties.temporal();
  }

  @Override
  public Health health() {
    Health.Builder health =
        Health.unknown()
            .withDetail("address", temporal.address())
            .withDetail("namespace", temporal.namespace());
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(temporal.healthTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return health.up().build();
    } catch (StatusRuntimeException e) {
      return health.down().withDetail("error", TemporalErrors.describe(e)).build();
    }
  }
}
