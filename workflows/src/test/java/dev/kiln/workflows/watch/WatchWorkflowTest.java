package dev.kiln.workflows.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.internal.InternalBodies.HeadBuild;
import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WatchWorkflowTest {

  static final String URL = "https://git.example.com/team/app.git";
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

  TestWorkflowEnvironment env;
  RemoteHeadsActivities remote =
      mock(RemoteHeadsActivities.class, withSettings().withoutAnnotations());
  WatchActivities api = mock(WatchActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(TaskQueues.CONTROL).registerWorkflowImplementationTypes(WatchWorkflowImpl.class);
    env.getWorkerFactory().getWorker(TaskQueues.CONTROL).registerActivitiesImplementations(api);
    env.newWorker(TaskQueues.WATCH).registerActivitiesImplementations(remote);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private HeadsAnswer poll() {
    return env.getWorkflowClient()
        .newWorkflowStub(
            WatchWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build())
        .poll(new WatchRequest(7, URL, "watcher"));
  }

  @Test
  void aPollHandsWhatTheBuildWorkerListedToTheApiAndReturnsWhatItStarted() {
    List<Head> heads = List.of(new Head("main", SHA));
    HeadsAnswer started = new HeadsAnswer(List.of(new HeadBuild("main", SHA, List.of(41L))), null);
    when(remote.listHeads(URL)).thenReturn(heads);
    when(api.buildMoved(7, new Heads(URL, "watcher", heads))).thenReturn(started);

    assertThat(poll()).isEqualTo(started);
  }

  @Test
  void aRemoteThatCannotBeListedFailsThePollWithoutAskingTheApi() {
    when(remote.listHeads(URL))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "repository not allowed: host is private", "KilnBadRepository"));

    assertThatThrownBy(this::poll).isInstanceOf(WorkflowFailedException.class);
    verify(api, never()).buildMoved(anyLong(), any());
  }

  @Test
  void theScheduleStartsOnePollPerIntervalOnTheControlQueueAndSkipsWhileOneRuns() {
    var schedule = WatchSchedule.definition(7, URL, Duration.ofSeconds(10));
    var action = (ScheduleActionStartWorkflow) schedule.getAction();

    assertThat(action.getWorkflowType()).isEqualTo("WatchWorkflow");
    assertThat(action.getOptions().getWorkflowId()).isEqualTo("kiln-watch-7");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.CONTROL);
    assertThat(schedule.getSpec().getIntervals())
        .containsExactly(new ScheduleIntervalSpec(Duration.ofSeconds(10)));
    assertThat(schedule.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
  }

  @Test
  void aScheduleIdNamesItsRepositoryAndNoOtherScheduleDoes() {
    assertThat(WatchSchedule.repoIdOf(WatchSchedule.id(42))).isEqualTo(42);
    assertThat(WatchSchedule.repoIdOf("kiln-retention")).isEqualTo(-1);
    assertThat(WatchSchedule.repoIdOf("kiln-watch-x")).isEqualTo(-1);
  }
}
