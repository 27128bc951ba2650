package dev.kiln.dev;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks a Temporal server whether it is ready for Kiln: up, and serving Kiln's namespace. */
final class TemporalProbe {

  private static final Logger log = LoggerFactory.getLogger(TemporalProbe.class);

  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  private TemporalProbe() {}

  /**
   * What the caller does between two attempts: wait a little, and throw if waiting is pointless.
   */
  @FunctionalInterface
  interface BetweenAttempts {
    void await() throws InterruptedException;
  }

  /**
   * Calls {@code DescribeNamespace} until it succeeds. A freshly started server refuses connections
   * first and then, for a moment, does not know the namespace yet; both count as "not yet".
   *
   * @throws IllegalStateException when {@code timeout} passes first
   */
  static void awaitNamespace(
      String target, String namespace, Duration timeout, BetweenAttempts betweenAttempts) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      DescribeNamespaceRequest request =
          DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build();
      while (true) {
        try {
          stubs
              .blockingStub()
              .withDeadlineAfter(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .describeNamespace(request);
          return;
        } catch (StatusRuntimeException e) {
          log.debug("Temporal at {} not ready yet: {}", target, e.getStatus());
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Temporal at "
                    + target
                    + " did not serve namespace '"
                    + namespace
                    + "' within "
                    + timeout.toSeconds()
                    + " s (last answer: "
                    + e.getStatus()
                    + ")");
          }
        }
        try {
          betweenAttempts.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Temporal at " + target, e);
        }
        // gRPC backs off reconnecting for up to minutes; the server is expected any moment now.
        stubs.getRawChannel().resetConnectBackoff();
      }
    } finally {
      stubs.shutdown();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
