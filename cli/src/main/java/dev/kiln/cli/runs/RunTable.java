package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.Terminal;
import dev.kiln.workflows.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** {@code kiln runs}: the api's run summaries as a table, one run a line, columns aligned. */
public final class RunTable {

  static final int MAX_REPO = 48;

  private static final DateTimeFormatter QUEUED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private RunTable() {}

  private record Column(String title, Function<JsonNode, String> value, boolean isResult) {}

  /**
   * The table: a header line, then one line per run.
   *
   * @param runs the {@code runs} array of {@code GET /runs}
   * @param zone the time zone queue times are shown in
   */
  public static String render(JsonNode runs, Terminal terminal, ZoneId zone) {
    List<Column> columns =
        List.of(
            new Column("RUN", r -> r.path("run_id").asText(), false),
            new Column("RESULT", r -> r.path("result").asText(), true),
            new Column("PHASE", r -> r.path("phase").asText(), false),
            new Column("REPO", r -> shorten(r.path("repo").asText()), false),
            new Column("BRANCH", RunTable::branch, false),
            new Column("ARCH", r -> r.path("arch").asText(), false),
            new Column("TIME", r -> elapsed(r.path("elapsed_s").asLong()), false),
            new Column("QUEUED", r -> queued(r.path("queued_at").asText(""), zone), false));
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode run : runs) {
      rows.add(columns.stream().map(c -> c.value().apply(run)).toList());
    }
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = columns.get(c).title().length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder table = new StringBuilder();
    List<String> titles = columns.stream().map(Column::title).toList();
    table.append(terminal.bold(line(titles, widths).stripTrailing())).append('\n');
    for (List<String> row : rows) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < row.size(); c++) {
        String cell = row.get(c);
        String shown = columns.get(c).isResult() ? terminal.result(cell) : cell;
        text.append(shown);
        if (c < row.size() - 1) {
          text.append(" ".repeat(widths[c] - cell.length() + 2));
        }
      }
      table.append(text.toString().stripTrailing()).append('\n');
    }
    return table.toString();
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      text.append(cells.get(c)).append(" ".repeat(widths[c] - cells.get(c).length() + 2));
    }
    return text.toString();
  }

  /** The resolved branch, else the requested ref (a run not fetched yet), else {@code -}. */
  static String branch(JsonNode run) {
    String branch = run.path("branch").asText("");
    if (!branch.isEmpty()) {
      return branch;
    }
    String ref = run.path("ref").asText("");
    return ref.isEmpty() ? "-" : ref;
  }

  /** A long URL keeps its end, where the repository's name is: {@code …/team/project.git}. */
  static String shorten(String repo) {
    return repo.length() <= MAX_REPO ? repo : "…" + repo.substring(repo.length() - MAX_REPO + 1);
  }

  static String elapsed(long seconds) {
    return Durations.format(Duration.ofSeconds(seconds));
  }

  static String queued(String instant, ZoneId zone) {
    if (instant.isEmpty()) {
      return "-";
    }
    return QUEUED.format(Instant.parse(instant).atZone(zone));
  }
}
