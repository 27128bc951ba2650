package dev.kiln.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.Terminal;

/** {@code kiln show}: the run view as labelled lines, leaving out what the run does not have. */
public final class RunDetails {

  private RunDetails() {}

  public static String render(JsonNode run, Terminal terminal) {
    StringBuilder text = new StringBuilder();
    text.append(terminal.bold("run " + run.path("run_id").asText()))
        .append("  ")
        .append(terminal.result(run.path("result").asText()))
        .append("  ")
        .append(run.path("phase").asText())
        .append("  ")
        .append(RunTable.elapsed(run.path("elapsed_s").asLong()))
        .append('\n');
    field(text, "repo", run.path("repo").asText(""));
    field(text, "branch", RunTable.branch(run));
    field(text, "sha", run.path("sha").asText(""));
    field(text, "arch", run.path("arch").asText(""));
    field(text, "priority", run.path("priority").asText(""));
    field(text, "mr", run.path("mr").asText(""));
    field(text, "host", run.path("host").asText(""));
    field(text, "queued", run.path("queued_at").asText(""));
    field(text, "started", run.path("started_at").asText(""));
    field(text, "finished", run.path("finished_at").asText(""));
    field(text, "waiting", run.path("waiting_reason").asText(""));
    field(text, "triggered", run.path("triggered_by").asText(""));
    field(text, "cancelled", run.path("cancelled_by").asText(""));
    field(text, "superseded", run.path("superseded_by").asText(""));
    field(text, "failure", run.path("failure_summary").asText(""));
    for (JsonNode restart : run.path("restarts")) {
      field(text, "restart", restart.path("note").asText(""));
    }
    for (JsonNode gate : run.path("gates")) {
      field(text, "gate", gate(gate, terminal));
    }
    for (JsonNode artifact : run.path("artifacts")) {
      field(
          text,
          "artifact",
          artifact.path("path").asText() + " (" + artifact.path("size").asLong() + " bytes)");
    }
    field(text, "ui", run.path("temporal").path("ui_url").asText(""));
    return text.toString();
  }

  private static String gate(JsonNode gate, Terminal terminal) {
    StringBuilder line =
        new StringBuilder(gate.path("name").asText())
            .append(' ')
            .append(terminal.result(gate.path("status").asText()));
    JsonNode tests = gate.path("tests");
    if (tests.isObject()) {
      line.append(" (")
          .append(tests.path("total").asInt())
          .append(" tests, ")
          .append(tests.path("failed").asInt())
          .append(" failed, ")
          .append(tests.path("skipped").asInt())
          .append(" skipped)");
    }
    String summary = gate.path("summary").asText("");
    if (!summary.isEmpty()) {
      line.append(": ").append(summary);
    }
    return line.toString();
  }

  private static void field(StringBuilder text, String label, String value) {
    if (!value.isEmpty() && !"null".equals(value)) {
      text.append(String.format("  %-11s%s%n", label, value));
    }
  }
}
