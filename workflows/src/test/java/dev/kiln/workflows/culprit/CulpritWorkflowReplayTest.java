package dev.kiln.workflows.culprit;

import dev.kiln.workflows.rebuild.RecordedHistories;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays culprit finder histories recorded from earlier versions of {@link CulpritWorkflowImpl}
 * (commit 11 of 16 named after six builds), so that a change to its commands cannot break a
 * bisection in flight.
 */
class CulpritWorkflowReplayTest {

  static Stream<Path> histories() throws IOException, URISyntaxException {
    return RecordedHistories.ofType("CulpritWorkflow");
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoryReplaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history.toFile(), CulpritWorkflowImpl.class);
  }
}
