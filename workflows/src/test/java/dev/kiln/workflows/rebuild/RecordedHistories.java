package dev.kiln.workflows.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Saves a finished workflow's history for the replay tests when run with {@code
 * -Dkiln.recordHistories=<dir>} (normally {@code src/test/resources/histories}). Re-record after an
 * intended, versioned change to workflow code; an unintended change fails the replay tests.
 */
public final class RecordedHistories {

  private RecordedHistories() {}

  /** The histories under test resources {@code /histories} of one workflow type, by name. */
  public static Stream<Path> ofType(String workflowType) throws IOException, URISyntaxException {
    Path dir = Path.of(RecordedHistories.class.getResource("/histories").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files
              .filter(f -> f.toString().endsWith(".json"))
              .filter(f -> workflowType.equals(workflowType(f)))
              .sorted()
              .toList();
      assertThat(found).as("recorded %s histories", workflowType).isNotEmpty();
      return found.stream();
    }
  }

  private static String workflowType(Path history) {
    try {
      return WorkflowExecutionHistory.fromJson(Files.readString(history))
          .getEvents()
          .get(0)
          .getWorkflowExecutionStartedEventAttributes()
          .getWorkflowType()
          .getName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void saveIfRecording(WorkflowClient client, String workflowId, String name) {
    String dir = System.getProperty("kiln.recordHistories");
    if (dir == null || dir.isBlank()) {
      return;
    }
    String json = client.fetchHistory(workflowId).toJson(true);
    try {
      Files.createDirectories(Path.of(dir));
      Files.writeString(Path.of(dir, name + ".json"), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
