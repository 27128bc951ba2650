package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.activities.capacity.BuildSlots;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The supplier on a real worker against Temporal's in-memory test server: a fetch that keeps its
 * slot stops the worker from taking the next one until the slot is finished.
 */
class BuildSlotSupplierTest {

  private static final String QUEUE = "kiln-build-test";

  private final List<String> fetched = new CopyOnWriteArrayList<>();
  private BuildSlots slots;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    slots = new BuildSlots(1, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    env = TestWorkflowEnvironment.newInstance();
    Worker worker =
        env.newWorker(
            QUEUE,
            WorkerOptions.newBuilder()
                .setWorkerTuner(
                    new CompositeTuner(
                        new FixedSizeSlotSupplier<>(10),
                        new BuildSlotSupplier(slots),
                        new FixedSizeSlotSupplier<>(10),
                        new FixedSizeSlotSupplier<>(10)))
                .build());
    worker.registerWorkflowImplementationTypes(OneFetchImpl.class);
    worker.registerActivitiesImplementations(
        (Fetch)
            () -> {
              String run = Activity.getExecutionContext().getInfo().getWorkflowId();
              fetched.add(run);
              slots.keep(run, java.nio.file.Path.of("/kiln/work/runs", run));
            });
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void aKeptSlotHoldsTheNextFetchInTheQueueUntilTheRunFinishes() {
    start("run-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> fetched.equals(List.of("run-1")));
    start("run-2");

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> fetched.size() == 1);
    assertThat(slots.busy()).isEqualTo(1);

    slots.finish("run-1");

    await().atMost(Duration.ofSeconds(10)).until(() -> fetched.equals(List.of("run-1", "run-2")));
  }

  private void start(String workflowId) {
    WorkflowClient.start(
        client.newWorkflowStub(
                OneFetch.class,
                WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(workflowId).build())
            ::run);
  }

  @ActivityInterface
  public interface Fetch {
    void fetch();
  }

  @WorkflowInterface
  public interface OneFetch {
    @WorkflowMethod
    void run();
  }

  public static class OneFetchImpl implements OneFetch {
    @Override
    public void run() {
      Workflow.newActivityStub(
              Fetch.class,
              ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build())
          .fetch();
    }
  }
}
