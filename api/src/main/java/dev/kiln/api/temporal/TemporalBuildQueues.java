package dev.kiln.api.temporal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.TaskQueues;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Asks Temporal's {@code DescribeTaskQueue} for the activity pollers of an architecture's queue.
 */
@Component
class TemporalBuildQueues implements BuildQueues {

  private static final Logger log = LoggerFactory.getLogger(TemporalBuildQueues.class);

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final Duration timeout;

  /**
   * Answers for a moment: Temporal counts pollers seen in the last minutes anyway, and asking once
   * per {@code POST /rebuild} put a round trip to Temporal on every request of a burst.
   */
  private final Cache<String, Optional<Integer>> recent =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(2)).maximumSize(64).build();

  TemporalBuildQueues(WorkflowServiceStubs stubs, KilnProperties properties) {
    this.stubs = stubs;
    this.namespace = properties.temporal().namespace();
    this.timeout = properties.dispatch().pollerCheckTimeout();
  }

  @Override
  public Optional<Integer> pollerCount(String arch) {
    return recent.get(arch, this::describe);
  }

  private Optional<Integer> describe(String arch) {
    String queue = TaskQueues.build(arch);
    try {
      int pollers =
          stubs
              .blockingStub()
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .describeTaskQueue(
                  DescribeTaskQueueRequest.newBuilder()
                      .setNamespace(namespace)
                      .setTaskQueue(TaskQueue.newBuilder().setName(queue).build())
                      .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                      .build())
              .getPollersCount();
      return Optional.of(pollers);
    } catch (RuntimeException e) {
      // a warning we cannot give is no reason to refuse the run
      log.debug("could not describe task queue {}: {}", queue, e.toString());
      return Optional.empty();
    }
  }
}
