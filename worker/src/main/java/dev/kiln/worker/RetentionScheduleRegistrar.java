package dev.kiln.worker;

import dev.kiln.workflows.retention.RetentionSchedule;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Registers retention's daily Temporal Schedule when a control worker starts. Idempotent: every
 * control worker does it at every start. A server that cannot keep schedules (Temporal's in-process
 * test server) gets a warning, not a worker that refuses to start.
 */
@Component
class RetentionScheduleRegistrar {

  private static final Logger log = LoggerFactory.getLogger(RetentionScheduleRegistrar.class);

  private final ScheduleClient schedules;

  RetentionScheduleRegistrar(WorkflowServiceStubs stubs, WorkerProperties properties) {
    this.schedules =
        ScheduleClient.newInstance(
            stubs,
            ScheduleClientOptions.newBuilder()
                .setNamespace(properties.temporal().namespace())
                .build());
  }

  void register() {
    try {
      boolean created = RetentionSchedule.register(schedules);
      log.info(
          "retention: schedule {} {} (daily at 03:00 UTC)",
          RetentionSchedule.ID,
          created ? "created" : "is registered");
    } catch (RuntimeException e) {
      log.warn(
          "retention: could not register schedule {} ({}); logs and artifacts are not removed"
              + " until a control worker registers it",
          RetentionSchedule.ID,
          e.toString());
    }
  }
}
