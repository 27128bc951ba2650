package dev.kiln.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.kiln.api.support.TestProperties;
import io.grpc.Status;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class TemporalBuildQueuesTest {

  WorkflowServiceStubs stubs = mock(WorkflowServiceStubs.class);
  WorkflowServiceBlockingStub blocking = mock(WorkflowServiceBlockingStub.class);
  TemporalBuildQueues queues;

  @BeforeEach
  void wire() {
    when(stubs.blockingStub()).thenReturn(blocking);
    when(blocking.withDeadlineAfter(anyLong(), any(TimeUnit.class))).thenReturn(blocking);
    queues = new TemporalBuildQueues(stubs, TestProperties.kiln(Path.of("/tmp/kiln")));
  }

  @Test
  void asksForTheActivityPollersOfTheArchitecturesBuildQueueWithAShortDeadline() {
    when(blocking.describeTaskQueue(any()))
        .thenReturn(
            DescribeTaskQueueResponse.newBuilder()
                .addPollers(PollerInfo.newBuilder().setIdentity("worker@host").build())
                .build());

    assertThat(queues.hasPollers("x86_64")).contains(true);

    ArgumentCaptor<DescribeTaskQueueRequest> request =
        ArgumentCaptor.forClass(DescribeTaskQueueRequest.class);
    verify(blocking).describeTaskQueue(request.capture());
    assertThat(request.getValue().getTaskQueue().getName()).isEqualTo("kiln-build-x86_64");
    assertThat(request.getValue().getTaskQueueType())
        .isEqualTo(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY);
    assertThat(request.getValue().getNamespace()).isEqualTo("default");
    verify(blocking).withDeadlineAfter(2000, TimeUnit.MILLISECONDS);
  }

  @Test
  void noPollersIsFalse() {
    when(blocking.describeTaskQueue(any()))
        .thenReturn(DescribeTaskQueueResponse.getDefaultInstance());

    assertThat(queues.hasPollers("riscv64")).contains(false);
  }

  @Test
  void anUnreachableOrSlowTemporalIsNoAnswerNotAnError() {
    when(blocking.describeTaskQueue(any()))
        .thenThrow(Status.DEADLINE_EXCEEDED.asRuntimeException());

    assertThat(queues.hasPollers("x86_64")).isEqualTo(Optional.empty());
  }
}
