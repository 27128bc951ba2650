package dev.kiln.workflows.lane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.SupersedePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaneOrderTest {

  static RebuildRequest request(long runId, SupersedePolicy policy) {
    return LaneWorkflowTest.request(runId, policy);
  }

  @Test
  void theNewestWaitingRequestCutsTheRunningBuildShortOnlyUnderCancelRunning() {
    RebuildRequest running = request(1, SupersedePolicy.CANCEL_RUNNING);
    List<RebuildRequest> cancelling =
        List.of(request(2, SupersedePolicy.QUEUE), request(3, SupersedePolicy.CANCEL_RUNNING));
    assertThat(LaneOrder.superseding(cancelling, running).runId()).isEqualTo(3);
    List<RebuildRequest> replacing = List.of(request(2, SupersedePolicy.REPLACE_PENDING));
    assertThat(LaneOrder.superseding(replacing, running)).isNull();
    assertThat(LaneOrder.superseding(List.of(request(2, SupersedePolicy.QUEUE)), running)).isNull();
  }

  @Test
  void anOlderWaitingRequestNeverSupersedesTheRunningBuild() {
    RebuildRequest running = request(5, SupersedePolicy.CANCEL_RUNNING);
    assertThat(LaneOrder.superseding(List.of(request(4, SupersedePolicy.CANCEL_RUNNING)), running))
        .isNull();
  }

  @Test
  void theNewestRequestsPolicyDecidesWhetherTheLaneQueuesAndTheOldestGoesFirst() {
    List<RebuildRequest> queued =
        List.of(
            request(7, SupersedePolicy.QUEUE),
            request(6, SupersedePolicy.CANCEL_RUNNING),
            request(8, SupersedePolicy.QUEUE));
    assertThat(LaneOrder.queues(queued)).isTrue();
    assertThat(LaneOrder.oldest(queued).runId()).isEqualTo(6);
    assertThat(
            LaneOrder.queues(
                List.of(
                    request(7, SupersedePolicy.QUEUE),
                    request(8, SupersedePolicy.REPLACE_PENDING))))
        .isFalse();
    assertThat(LaneOrder.queues(List.of())).isFalse();
    assertThat(LaneOrder.oldest(List.of())).isNull();
  }
}
