package dev.kiln.workflows.rebuild;

import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves a finished workflow's history for the replay tests when run with {@code
 * -Dkiln.recordHistories=<dir>} (normally {@code src/test/resources/histories}). Re-record after an
 * intended, versioned change to workflow code; an unintended change fails the replay tests.
 */
final class RecordedHistories {

  private RecordedHistories() {}

  static void saveIfRecording(WorkflowClient client, String workflowId, String name) {
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
