import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dispatch latency of a warm lane: {@code POST /rebuild} sent → the first compile command running.
 * The compile prints the time it started ({@code date +%s%N}, the same clock as this program's),
 * so nothing but the build itself has to be watched. Before each measured run a new commit is
 * pushed to the repository, as a real push would, a second after the lane's previous run ended. A
 * push that comes while the previous run's workflow still cleans up after its result was recorded
 * waits for it, as the lane builds one run at a time: that wait is measured by the supersede
 * benchmark, not here (without the pause p50 was 380 ms instead of 230 ms at 9001235).
 *
 * <pre>
 * java bench/Dispatch.java &lt;api&gt; &lt;repo dir&gt; &lt;n&gt;
 * </pre>
 *
 * <p>With {@code KILN_TOKEN} set, every request carries it (an api outside the dev stack, such as
 * the local cluster's, trusts nobody without a token).
 */
public class Dispatch {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final String TOKEN = System.getenv().getOrDefault("KILN_TOKEN", "");
  private static final Pattern STARTED = Pattern.compile("compile started at (\\d+)");

  public static void main(String[] args) throws Exception {
    String api = args[0];
    Path repo = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    for (int i = 0; i < 3; i++) {
      measure(api, repo); // warm-up: the mirror, the lane's workspace, the JIT
    }
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      millis.add(measure(api, repo));
      System.out.printf("dispatch %2d: %.0f ms%n", i + 1, millis.get(millis.size() - 1));
    }
    millis.sort(null);
    System.out.printf(
        "POST /rebuild -> first compile command running, warm lane, %d runs: p50 %.0f ms, p90 %.0f"
            + " ms, max %.0f ms%n",
        n, pct(millis, 50), pct(millis, 90), millis.get(millis.size() - 1));
  }

  /** Between the previous run's result and the next push: its workflow has closed by then. */
  private static final Duration QUIET = Duration.ofSeconds(1);

  static double measure(String api, Path repo) throws Exception {
    Thread.sleep(QUIET.toMillis());
    git(repo, "commit", "-q", "--allow-empty", "-m", "push");
    Instant sent = Instant.now();
    HttpResponse<String> accepted =
        http.send(
            authorized(HttpRequest.newBuilder(URI.create(api + "/rebuild")))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"repo\":\"" + repo.toUri() + "\",\"ref\":\"main\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher id = Pattern.compile("\"run_id\":(\\d+)").matcher(accepted.body());
    if (accepted.statusCode() != 202 || !id.find()) {
      throw new IllegalStateException(accepted.statusCode() + " " + accepted.body());
    }
    String run = api + "/runs/" + id.group(1);
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (get(run).contains("\"result\":\"building\"")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(run + " did not end");
      }
      Thread.sleep(50);
    }
    String view = get(run);
    if (!view.contains("\"result\":\"passed\"")) {
      throw new IllegalStateException(view);
    }
    Matcher started = STARTED.matcher(get(run + "/logs"));
    if (!started.find()) {
      throw new IllegalStateException("no start time in the log of " + run);
    }
    long startedNanos = Long.parseLong(started.group(1));
    long sentNanos = sent.getEpochSecond() * 1_000_000_000L + sent.getNano();
    return (startedNanos - sentNanos) / 1e6;
  }

  static void git(Path repo, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString(),
        "-c", "user.name=bench", "-c", "user.email=bench@kiln.dev"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).inheritIO().start();
    if (git.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed");
    }
  }

  static String get(String url) throws Exception {
    return http.send(
            authorized(HttpRequest.newBuilder(URI.create(url))).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .body();
  }

  static HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return TOKEN.isEmpty() ? request : request.header("Authorization", "Bearer " + TOKEN);
  }

  static double pct(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
