package dev.kiln.worker;

import com.uber.m3.tally.Scope;
import dev.kiln.workflows.TemporalMetrics;
import dev.kiln.workflows.TemporalReconnect;
import dev.kiln.workflows.connection.TemporalConnectionSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TemporalConfiguration {

  /** Lazy: a worker may start before the server; its pollers keep retrying until it is there. */
  /**
   * The worker's own registry, not a bean: in the dev stack the api's context shares this JVM, and
   * the worker's Temporal metrics must not mix into the api's.
   */
  @Bean
  WorkerMetrics workerMetrics(WorkerProperties properties) {
    return new WorkerMetrics(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), properties.metrics());
  }

  @Bean(destroyMethod = "close")
  Scope temporalMetricsScope(WorkerMetrics metrics) {
    return TemporalMetrics.scope(metrics.registry());
  }

  @Bean(destroyMethod = "shutdownNow")
  WorkflowServiceStubs workflowServiceStubs(
      WorkerProperties properties, Scope temporalMetricsScope) {
    WorkerProperties.Temporal temporal = properties.temporal();
    return WorkflowServiceStubs.newServiceStubs(
        TemporalConnectionSecurity.apply(
                WorkflowServiceStubsOptions.newBuilder(), temporal.tls(), temporal.apiKeyFile())
            .setTarget(temporal.address())
            .setMetricsScope(temporalMetricsScope)
            // A restarted Temporal server (the dev stack restarts a dead one within seconds) is
            // reconnected to within a second, not after gRPC's growing backoff: runs' activities
            // must heartbeat again before their 5 s heartbeat timeout fires.
            .setConnectionBackoffResetFrequency(TemporalReconnect.BACKOFF_RESET)
            .build());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, WorkerProperties properties) {
    return WorkflowClient.newInstance(
        stubs,
        WorkflowClientOptions.newBuilder().setNamespace(properties.temporal().namespace()).build());
  }

  @Bean
  WorkerFactory workerFactory(WorkflowClient client) {
    return WorkerFactory.newInstance(client);
  }
}
