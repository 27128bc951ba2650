package dev.kiln.api.support;

import dev.kiln.workflows.KilnSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * Temporal's in-process test server on a real port (the api connects by host:port, as in
 * production), with Kiln's search attributes registered the way the dev stack registers them.
 */
public final class TestTemporal implements AutoCloseable {

  private final TestServer.PortBoundTestServer server;
  private final int port;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final WorkerFactory workers;

  private TestTemporal(int port) {
    this.port = port;
    this.server = TestServer.createPortBoundServer(port);
    this.stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
    this.client = WorkflowClient.newInstance(stubs);
    this.workers = WorkerFactory.newInstance(client);
    registerSearchAttributes();
  }

  public static TestTemporal start() {
    return new TestTemporal(freePort());
  }

  public String address() {
    return "localhost:" + port;
  }

  public WorkflowClient client() {
    return client;
  }

  public WorkerFactory workers() {
    return workers;
  }

  private void registerSearchAttributes() {
    Map<String, IndexedValueType> types = new HashMap<>();
    for (SearchAttributeKey<?> key : KilnSearchAttributes.ALL) {
      types.put(key.getName(), key.getValueType());
    }
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(address())
                .validateAndBuildWithDefaults());
    try {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace("default")
                  .putAllSearchAttributes(types)
                  .build());
    } finally {
      operator.shutdown();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    stubs.shutdownNow();
    server.close();
  }
}
