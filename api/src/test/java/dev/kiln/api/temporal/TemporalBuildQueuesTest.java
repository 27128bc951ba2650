package dev.kiln.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.TestProperties;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The poller count is best effort: a Temporal that cannot answer in time gives no answer, never an
 * error, and no request waits long for it. (That it counts the pollers of a real server is shown by
 * the end-to-end suite's queue status, on the Temporal dev server.)
 */
class TemporalBuildQueuesTest {

  @Test
  void aTemporalNobodyListensForIsNoAnswerNotAnError() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }

    assertThat(queues(closed).pollerCount("x86_64")).isEqualTo(Optional.empty());
  }

  @Test
  void aTemporalThatNeverAnswersIsNoAnswerWithinTheCheckTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket accepted = silent.accept()) {
                  accepted.getInputStream().readAllBytes(); // reads, answers nothing
                } catch (Exception closedByTheTest) {
                  // the test is over
                }
              });
      acceptor.start();
      TemporalBuildQueues queues = queues(silent.getLocalPort());
      long started = System.nanoTime();

      Optional<Integer> answer = queues.pollerCount("x86_64");

      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(answer).isEmpty();
      assertThat(took).as("the 2 s check timeout, plus a margin").isLessThan(Duration.ofSeconds(5));
    }
  }

  private static TemporalBuildQueues queues(int port) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    return new TemporalBuildQueues(stubs, TestProperties.kiln(Path.of("/tmp/kiln")));
  }
}
