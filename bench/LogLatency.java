import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log latency: the moment a build command writes a line → the moment an SSE client on loopback
 * receives it. The build prints "tick <epoch nanos>" lines; both ends read the same clock.
 *
 * <p>Usage: {@code java bench/LogLatency.java <api base url> <repo url>}
 */
public class LogLatency {

  private static final Pattern TICK = Pattern.compile("tick (\\d{19})");

  public static void main(String[] args) throws Exception {
    String api = args[0];
    String repo = args[1];
    HttpClient http = HttpClient.newHttpClient();
    String accepted =
        http.send(
                HttpRequest.newBuilder(URI.create(api + "/rebuild"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"" + repo + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher id = Pattern.compile("\"run_id\":(\\d+)").matcher(accepted);
    if (!id.find()) {
      throw new IllegalStateException("rebuild refused: " + accepted);
    }
    long runId = Long.parseLong(id.group(1));
    HttpResponse<java.io.InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/runs/" + runId + "/logs?step=compile"))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofMinutes(10))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    List<Long> latenciesMicros = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        Instant now = Instant.now();
        long receivedNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        if (line.startsWith("event: end")) {
          break;
        }
        Matcher tick = TICK.matcher(line);
        while (tick.find()) {
          latenciesMicros.add((receivedNanos - Long.parseLong(tick.group(1))) / 1_000);
        }
      }
    }
    report(runId, latenciesMicros);
  }

  private static void report(long runId, List<Long> micros) {
    if (micros.isEmpty()) {
      throw new IllegalStateException("run " + runId + ": no tick lines received");
    }
    Collections.sort(micros);
    System.out.printf(
        "run %d: %d lines, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        runId,
        micros.size(),
        percentile(micros, 50) / 1000.0,
        percentile(micros, 99) / 1000.0,
        micros.get(micros.size() - 1) / 1000.0);
  }

  private static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
