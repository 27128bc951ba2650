package dev.kiln.worker;

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
  @Bean(destroyMethod = "shutdownNow")
  WorkflowServiceStubs workflowServiceStubs(WorkerProperties properties) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(properties.temporal().address())
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
