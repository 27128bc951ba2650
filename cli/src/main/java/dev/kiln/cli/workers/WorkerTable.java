package dev.kiln.cli.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.Terminal;
import dev.kiln.workflows.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** {@code kiln workers}: the api's build hosts as a table, one host a line, columns aligned. */
public final class WorkerTable {

  private WorkerTable() {}

  private record Column(String title, Function<JsonNode, String> value) {}

  /**
   * @param workers the {@code workers} array of {@code GET /workers}
   * @param now what "last seen … ago" counts from
   */
  public static String render(JsonNode workers, Terminal terminal, Instant now) {
    List<Column> columns =
        List.of(
            new Column("HOST", w -> w.path("host").asText()),
            new Column("STATE", WorkerTable::state),
            new Column("ARCHS", w -> joined(w.path("archs"))),
            new Column("SLOTS", w -> w.path("busy_slots").asInt() + "/" + w.path("slots").asInt()),
            new Column("CPU", w -> percent(w.path("cpu").asDouble())),
            new Column("MEM", w -> percent(w.path("memory").asDouble())),
            new Column("SEEN", w -> seen(w.path("last_seen").asText(""), now)),
            new Column("VERSION", w -> w.path("version").asText("-")),
            new Column("RUNS", w -> joined(w.path("runs"))),
            new Column("LABELS", w -> joined(w.path("labels"))));
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode worker : workers) {
      rows.add(columns.stream().map(c -> c.value().apply(worker)).toList());
    }
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = columns.get(c).title().length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder table = new StringBuilder();
    table
        .append(terminal.bold(line(columns.stream().map(Column::title).toList(), widths)))
        .append('\n');
    for (List<String> row : rows) {
      table.append(line(row, widths)).append('\n');
    }
    return table.toString();
  }

  /** live or lost, and why it takes no build: draining, paused for CPU or memory. */
  static String state(JsonNode worker) {
    String state = worker.path("state").asText();
    if (worker.path("draining").asBoolean()) {
      return state + ",draining";
    }
    if (worker.path("paused_for_resources").asBoolean()) {
      return state + ",paused";
    }
    return state;
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      text.append(cells.get(c));
      if (c < cells.size() - 1) {
        text.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
      }
    }
    return text.toString().stripTrailing();
  }

  private static String joined(JsonNode array) {
    List<String> items = new ArrayList<>();
    array.forEach(item -> items.add(item.asText()));
    return items.isEmpty() ? "-" : String.join(",", items);
  }

  private static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }

  static String seen(String lastSeen, Instant now) {
    try {
      Duration ago = Duration.between(Instant.parse(lastSeen), now);
      return Durations.format(ago.isNegative() ? Duration.ZERO : ago) + " ago";
    } catch (DateTimeParseException e) {
      return "-";
    }
  }
}
