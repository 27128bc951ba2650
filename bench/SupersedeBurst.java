import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A burst of supersedes on a running dev stack: {@code n} rebuilds from {@code clients} threads,
 * spread round-robin over the given repositories (one lane each). Prints the POST latencies, the
 * time until every run has ended (the drain), and checks what a burst must leave: in every lane the
 * newest run passed and every other one aborted with {@code superseded_by}; no build slot held; no
 * workspace on disk.
 *
 * <pre>
 * java bench/SupersedeBurst.java &lt;api&gt; &lt;kiln home&gt; &lt;n&gt; &lt;clients&gt; &lt;repo&gt;...
 * </pre>
 */
public class SupersedeBurst {

  private static final HttpClient http =
      HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
  private static final Duration PATIENCE = Duration.ofMinutes(15);
  private static final Pattern RUN_ID = Pattern.compile("\"run_id\":(\\d+)");

  record Posted(String repo, long runId, double millis) {}

  public static void main(String[] args) throws Exception {
    String api = args[0];
    Path home = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    int clients = Integer.parseInt(args[3]);
    List<String> repos = List.of(args).subList(4, args.length);

    AtomicInteger next = new AtomicInteger();
    List<Posted> posted = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                  String repo = repos.get(i % repos.size());
                  long sent = System.nanoTime();
                  long runId = rebuild(api, repo);
                  posted.add(new Posted(repo, runId, (System.nanoTime() - sent) / 1e6));
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    double postedAllMs = (System.nanoTime() - start) / 1e6;

    Map<String, List<Long>> lanes = new TreeMap<>();
    for (Posted p : posted) {
      lanes.computeIfAbsent(p.repo(), r -> new ArrayList<>()).add(p.runId());
    }
    Map<Long, String> views = new TreeMap<>();
    for (List<Long> ids : lanes.values()) {
      Collections.sort(ids);
      for (long id : ids) {
        views.put(id, awaitEnd(api, id));
      }
    }
    double drainedMs = (System.nanoTime() - start) / 1e6;

    List<String> problems = new ArrayList<>();
    for (var lane : lanes.entrySet()) {
      List<Long> ids = lane.getValue();
      long newest = ids.get(ids.size() - 1);
      for (long id : ids) {
        String view = views.get(id);
        if (id == newest && !view.contains("\"result\":\"passed\"")) {
          problems.add("newest run " + id + " of " + lane.getKey() + " did not pass: " + view);
        }
        if (id != newest
            && !(view.contains("\"result\":\"aborted\"")
                && Pattern.compile("\"superseded_by\":\\d+").matcher(view).find())) {
          problems.add("run " + id + " of " + lane.getKey() + " not aborted as superseded: " + view);
        }
      }
    }
    String status = awaitFreeSlot(api);
    List<Path> left = workspaces(home);

    List<Double> millis = new ArrayList<>(posted.stream().map(Posted::millis).toList());
    millis.sort(null);
    System.out.printf(
        "%d rebuilds from %d clients into %d lanes: all accepted in %.1f s; POST p50 %.0f ms, p99"
            + " %.0f ms, max %.0f ms%n",
        n, clients, lanes.size(), postedAllMs / 1000, pct(millis, 50), pct(millis, 99),
        millis.get(millis.size() - 1));
    System.out.printf("drained (every run ended) %.1f s after the first request%n", drainedMs / 1000);
    System.out.printf("queue status afterwards: %s%n", status);
    System.out.printf("workspaces left on disk: %d %s%n", left.size(), left);
    problems.forEach(p -> System.out.println("PROBLEM: " + p));
    if (!problems.isEmpty() || !left.isEmpty() || status.contains("NOT FREE")) {
      System.exit(1);
    }
  }

  static long rebuild(String api, String repo) throws Exception {
    String body = "{\"repo\":\"" + repo + "\",\"ref\":\"main\"}";
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/rebuild"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    Matcher id = RUN_ID.matcher(answer.body());
    if (answer.statusCode() != 202 || !id.find()) {
      throw new IllegalStateException("rebuild refused: " + answer.statusCode() + " " + answer.body());
    }
    return Long.parseLong(id.group(1));
  }

  static String awaitEnd(String api, long runId) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      String view = get(api + "/runs/" + runId);
      if (!view.contains("\"result\":\"building\"")) {
        return view;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("run " + runId + " did not end within " + PATIENCE);
  }

  /** The host reports its slots every few seconds: give the report time to arrive. */
  static String awaitFreeSlot(String api) throws Exception {
    String status = "";
    for (int i = 0; i < 100; i++) {
      status = get(api + "/build-jobs/queue/status");
      Matcher free = Pattern.compile("\"free_slots\":(\\d+),\"hosts\":([1-9])").matcher(status);
      if (free.find() && Integer.parseInt(free.group(1)) > 0) {
        return "free slots " + free.group(1);
      }
      Thread.sleep(100);
    }
    return "NOT FREE after 10 s: " + status;
  }

  static List<Path> workspaces(Path home) throws Exception {
    Path runs = home.resolve("work").resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(Path::getFileName).toList();
    }
  }

  static String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .body();
  }

  static double pct(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
