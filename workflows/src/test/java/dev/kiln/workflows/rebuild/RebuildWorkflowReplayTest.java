package dev.kiln.workflows.rebuild;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays histories recorded from earlier versions of {@link RebuildWorkflowImpl}: the runs started
 * directly and the ones a lane started as children. A failure here means a change would break runs
 * that are in flight: guard it with {@code Workflow.getVersion}.
 */
class RebuildWorkflowReplayTest {

  static Stream<Path> histories() throws IOException, URISyntaxException {
    return RecordedHistories.ofType("RebuildWorkflow");
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoryReplaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history.toFile(), RebuildWorkflowImpl.class);
  }
}
