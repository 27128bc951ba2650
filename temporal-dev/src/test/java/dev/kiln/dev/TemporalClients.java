package dev.kiln.dev;

import dev.kiln.workflows.KilnSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Small client calls the integration tests make against a running server. */
final class TemporalClients {

  static final String PROBE_WORKFLOW_TYPE = "KilnDevStackProbe";

  private TemporalClients() {}

  static Map<String, IndexedValueType> customSearchAttributes(String target) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(target)
                .validateAndBuildWithDefaults());
    try {
      return operator
          .blockingStub()
          .listSearchAttributes(
              ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
          .getCustomAttributesMap();
    } finally {
      operator.shutdownNow();
      operator.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts a workflow on a task queue no worker polls, so it stays running, with two Kiln search
   * attributes set, which fails unless they are registered.
   */
  static void startProbe(String target, String workflowId) {
    withClient(
        target,
        client ->
            client
                .newUntypedWorkflowStub(
                    PROBE_WORKFLOW_TYPE,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue("kiln-dev-stack-it-nobody-polls")
                        .setTypedSearchAttributes(
                            SearchAttributes.newBuilder()
                                .set(KilnSearchAttributes.REPO, "file:///it/repo")
                                .set(KilnSearchAttributes.RUN_ID, 42L)
                                .build())
                        .build())
                .start());
  }

  static WorkflowExecutionDescription describe(String target, String workflowId) {
    return withClient(target, client -> client.newUntypedWorkflowStub(workflowId).describe());
  }

  private static <T> T withClient(String target, Function<WorkflowClient, T> call) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    try {
      return call.apply(
          WorkflowClient.newInstance(
              stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build()));
    } finally {
      stubs.shutdownNow();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
