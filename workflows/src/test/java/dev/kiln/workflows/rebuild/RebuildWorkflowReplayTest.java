package dev.kiln.workflows.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays histories recorded from earlier versions of {@link RebuildWorkflowImpl}. A failure here
 * means a change would break runs that are in flight: guard it with {@code Workflow.getVersion}.
 */
class RebuildWorkflowReplayTest {

  static Stream<Path> histories() throws IOException, URISyntaxException {
    Path dir = Path.of(RebuildWorkflowReplayTest.class.getResource("/histories").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
      assertThat(found).as("recorded histories").isNotEmpty();
      return found.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoryReplaysWithoutNonDeterminism(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history.toFile(), RebuildWorkflowImpl.class);
  }
}
