package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.Terminal;
import dev.kiln.workflows.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code kiln queue}: the queue status as a table, one architecture a line. */
final class QueueTable {

  private static final List<String> TITLES =
      List.of("ARCH", "QUEUED", "BUILDING", "WORKERS", "HOSTS", "FREE SLOTS", "OLDEST WAIT");

  private QueueTable() {}

  /**
   * @param archs the {@code archs} array of {@code GET /build-jobs/queue/status}
   */
  static String render(JsonNode archs, Terminal terminal) {
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode arch : archs) {
      rows.add(
          List.of(
              arch.path("arch").asText(),
              arch.path("queued").asText(),
              arch.path("building").asText(),
              arch.path("workers_polling").isNumber() ? arch.path("workers_polling").asText() : "?",
              hosts(arch),
              arch.path("free_slots").asText(),
              oldestWait(arch)));
    }
    int[] widths = new int[TITLES.size()];
    for (int c = 0; c < TITLES.size(); c++) {
      widths[c] = TITLES.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder table = new StringBuilder(terminal.bold(line(TITLES, widths))).append('\n');
    for (List<String> row : rows) {
      table.append(line(row, widths)).append('\n');
    }
    return table.toString();
  }

  private static String hosts(JsonNode arch) {
    int paused = arch.path("hosts_paused_for_resources").asInt();
    return arch.path("hosts").asText() + (paused > 0 ? " (" + paused + " paused)" : "");
  }

  /** {@code 1m 5s (run 42)}, or {@code -} when nothing waits. */
  static String oldestWait(JsonNode arch) {
    JsonNode wait = arch.path("oldest_queued_wait_s");
    if (!wait.isNumber()) {
      return "-";
    }
    return Durations.format(Duration.ofSeconds(wait.asLong()))
        + " (run "
        + arch.path("oldest_queued_run_id").asText()
        + ")";
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      text.append(cells.get(c));
      if (c < cells.size() - 1) {
        text.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
      }
    }
    return text.toString();
  }
}
