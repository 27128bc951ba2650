package dev.kiln.workflows.lane;

import dev.kiln.workflows.rebuild.RecordedHistories;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays lane histories recorded from earlier versions of {@link LaneWorkflowImpl} (supersede,
 * coalesce, a queued and a running run cancelled through the lane, the {@code queue} supersede
 * policy). Their children's histories replay in {@code RebuildWorkflowReplayTest}.
 */
class LaneWorkflowReplayTest {

  static Stream<Path> histories() throws IOException, URISyntaxException {
    return RecordedHistories.ofType("LaneWorkflow");
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoryReplaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history.toFile(), LaneWorkflowImpl.class);
  }
}
