package dev.kiln.workflows;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;

/**
 * The Temporal SDK's metrics (its requests, their latencies and failures, workers' polls and task
 * slots) reported into a Micrometer registry. The api's and the workers' service stubs both take
 * this scope, so the two processes' Temporal metrics have the same names.
 */
public final class TemporalMetrics {

  /** How often the SDK's counters and timers are flushed into the registry. */
  private static final com.uber.m3.util.Duration REPORT_EVERY =
      com.uber.m3.util.Duration.ofSeconds(10);

  private TemporalMetrics() {}

  /**
   * A scope to pass to {@code WorkflowServiceStubsOptions.setMetricsScope}; close it at the end.
   */
  public static Scope scope(MeterRegistry registry) {
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(REPORT_EVERY);
  }
}
