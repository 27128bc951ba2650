package dev.kiln.cli.follow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.CliFailure;
import dev.kiln.cli.Terminal;
import dev.kiln.cli.api.KilnClient;
import dev.kiln.cli.api.SseEvent;
import dev.kiln.cli.api.SseReader;
import dev.kiln.workflows.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * Follows a run's log stream ({@code GET /runs/{id}/logs} as {@code text/event-stream}) to its
 * {@code end} event: log text to stdout as it arrives, phase changes to stderr on a terminal, and
 * the run's result. A stream that ends without {@code end} (the api's idle limit, a restarted api)
 * is reopened with {@code Last-Event-ID}, so nothing is printed twice or missed.
 */
final class LogFollower {

  /** Reopened streams in a row that brought no event before giving up. */
  static final int MAX_EMPTY_RECONNECTS = 5;

  private final KilnClient client;
  private final ObjectMapper json;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Terminal terminal;

  LogFollower(KilnClient client, PrintWriter out, PrintWriter err, Terminal terminal) {
    this.client = client;
    this.json = client.json();
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** What the {@code end} event said. */
  record Ending(Result result, String failureSummary) {}

  Ending follow(long runId) {
    String lastEventId = null;
    int emptyStreams = 0;
    while (true) {
      SseReader events = client.logEvents(runId, lastEventId);
      boolean any = false;
      try {
        for (Optional<SseEvent> event = events.next(); event.isPresent(); event = events.next()) {
          any = true;
          SseEvent e = event.get();
          if (e.id() != null) {
            lastEventId = e.id();
          }
          Optional<Ending> ending = handle(e);
          if (ending.isPresent()) {
            return ending.get();
          }
        }
      } catch (IOException e) {
        err.println(terminal.dim("(log stream interrupted: " + e.getMessage() + "; reopening)"));
      }
      emptyStreams = any ? 0 : emptyStreams + 1;
      if (emptyStreams >= MAX_EMPTY_RECONNECTS) {
        throw new CliFailure(
            "the log stream of run " + runId + " keeps ending without a result; try again later");
      }
    }
  }

  private Optional<Ending> handle(SseEvent event) throws IOException {
    switch (event.name()) {
      case "log" -> {
        String text = json.readTree(event.data()).path("text").asText("");
        synchronized (out) {
          out.print(terminal.log(text));
          out.flush();
        }
      }
      case "phase" -> {
        if (terminal.interactive()) {
          String phase = json.readTree(event.data()).path("phase").asText("");
          synchronized (out) {
            out.flush();
            err.println(terminal.dim("» " + phase));
          }
        }
      }
      case "end" -> {
        JsonNode end = json.readTree(event.data());
        synchronized (out) {
          out.flush();
        }
        String summary = end.path("failure_summary").asText("");
        return Optional.of(
            new Ending(
                Result.fromWireName(end.path("result").asText()),
                summary.isEmpty() || "null".equals(summary) ? null : summary));
      }
      default -> {
        // events a newer api may add are not ours to show
      }
    }
    return Optional.empty();
  }
}
