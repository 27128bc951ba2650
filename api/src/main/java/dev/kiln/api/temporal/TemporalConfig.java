package dev.kiln.api.temporal;

import com.uber.m3.tally.Scope;
import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.TemporalMetrics;
import dev.kiln.workflows.TemporalReconnect;
import dev.kiln.workflows.connection.TemporalConnectionSecurity;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Temporal client. {@code newServiceStubs} opens its gRPC channel lazily, so the api starts
 * when Temporal is down: runs started meanwhile fail with 503, and health shows Temporal DOWN.
 */
@Configuration(proxyBeanMethods = false)
class TemporalConfig {

  /**
   * The Temporal SDK's own metrics (requests, latencies, long polls) on the api's registry, so
   * {@code /actuator/prometheus} carries them beside Kiln's.
   */
  @Bean(destroyMethod = "close")
  Scope temporalMetricsScope(MeterRegistry registry) {
    return TemporalMetrics.scope(registry);
  }

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(KilnProperties properties, Scope temporalMetricsScope) {
    KilnProperties.Temporal temporal = properties.temporal();
    return WorkflowServiceStubs.newServiceStubs(
        TemporalConnectionSecurity.apply(
                WorkflowServiceStubsOptions.newBuilder(), temporal.tls(), temporal.apiKeyFile())
            .setTarget(temporal.address())
            .setMetricsScope(temporalMetricsScope)
            // back within a second of a restarted server, not after gRPC's growing backoff
            .setConnectionBackoffResetFrequency(TemporalReconnect.BACKOFF_RESET)
            .setRpcTimeout(temporal.rpcTimeout())
            // the client asks for the server's capabilities before its first call; bound that too
            .setSystemInfoTimeout(temporal.startTimeout())
            // The SDK retries an unavailable server for a minute by default; a client waiting on
            // POST /rebuild should get its 503 sooner.
            .setRpcRetryOptions(
                DefaultStubServiceOperationRpcRetryOptions.getBuilder()
                    .setExpiration(temporal.startTimeout())
                    .build())
            .build());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, KilnProperties properties) {
    return WorkflowClient.newInstance(
        stubs,
        WorkflowClientOptions.newBuilder()
            .setNamespace(properties.temporal().namespace())
            .setIdentity("kiln-api")
            .build());
  }
}
