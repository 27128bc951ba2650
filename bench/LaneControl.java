import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lane control latencies on a running dev stack. The build's compile writes its shell's pid (its
 * process group, since Kiln runs commands under setsid) to {@code <dir>/pid}, prints "ready" and
 * sleeps in a child, honouring SIGTERM. "Process group dead" means no process in /proc has that
 * group any more.
 *
 * <pre>
 * java bench/LaneControl.java cancel    &lt;api&gt; &lt;repo&gt; &lt;dir&gt; &lt;n&gt; [ms into the compile]
 * java bench/LaneControl.java supersede &lt;api&gt; &lt;repo&gt; &lt;dir&gt; &lt;n&gt;
 * java bench/LaneControl.java lost-host &lt;api&gt; &lt;repo&gt; &lt;dir&gt; &lt;n&gt; &lt;arch&gt; &lt;jar&gt; &lt;dev-stack.env&gt;
 * </pre>
 */
public class LaneControl {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  public static void main(String[] args) throws Exception {
    String api = args[1];
    String repo = args[2];
    Path dir = Path.of(args[3]);
    int n = Integer.parseInt(args[4]);
    switch (args[0]) {
      case "cancel" -> cancel(api, repo, dir, n, args.length > 5 ? Long.parseLong(args[5]) : 0);
      case "supersede" -> supersede(api, repo, dir, n);
      case "lost-host" -> lostHost(api, repo, dir, n, args[5], Path.of(args[6]), Path.of(args[7]));
      default -> throw new IllegalArgumentException("mode: cancel, supersede or lost-host");
    }
  }

  /**
   * Cancel request → process group dead, and → run view "cancelled". The cancel comes {@code
   * afterMillis} into the compile: cancellation reaches an activity only in a heartbeat's answer,
   * so one sent right at the start hides how often the heartbeats really go out.
   */
  static void cancel(String api, String repo, Path dir, int n, long afterMillis) throws Exception {
    List<Double> deadMs = new ArrayList<>();
    List<Double> cancelledMs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Files.deleteIfExists(dir.resolve("pid"));
      long runId = rebuild(api, repo, null);
      long pgid = awaitPid(dir);
      pause(afterMillis);
      long requested = System.nanoTime();
      send(
          HttpRequest.newBuilder(URI.create(api + "/build-jobs/" + runId + "/cancel"))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"reason\":\"bench\"}")));
      long[] dead = {0};
      Thread watcher =
          new Thread(
              () -> {
                while (groupAlive(pgid)) {
                  pause(2);
                }
                dead[0] = System.nanoTime();
              });
      watcher.start();
      awaitResult(api, runId, "cancelled");
      long cancelled = System.nanoTime();
      watcher.join(TimeUnit.MINUTES.toMillis(1));
      deadMs.add((dead[0] - requested) / 1e6);
      cancelledMs.add((cancelled - requested) / 1e6);
      System.out.printf(
          "cancel %2d: run %d, group dead %.0f ms, run cancelled %.0f ms%n",
          i + 1, runId, last(deadMs), last(cancelledMs));
    }
    report("cancel → process group dead", deadMs);
    report("cancel → run view cancelled", cancelledMs);
  }

  /** Newer rebuild request → older build's group dead → newer build compiling. */
  static void supersede(String api, String repo, Path dir, int n) throws Exception {
    List<Double> deadMs = new ArrayList<>();
    List<Double> compilingMs = new ArrayList<>();
    Files.deleteIfExists(dir.resolve("pid"));
    long running = rebuild(api, repo, null);
    long pgid = awaitPid(dir);
    for (int i = 0; i < n; i++) {
      Files.delete(dir.resolve("pid"));
      long requested = System.nanoTime();
      long newer = rebuild(api, repo, null);
      while (groupAlive(pgid)) {
        pause(2);
      }
      long dead = System.nanoTime();
      long newPgid = awaitPid(dir);
      long compiling = System.nanoTime();
      String older = awaitEnd(api, running);
      if (!older.contains("\"superseded_by\":" + newer)) {
        throw new IllegalStateException("run " + running + " not superseded by " + newer + ": " + older);
      }
      deadMs.add((dead - requested) / 1e6);
      compilingMs.add((compiling - requested) / 1e6);
      System.out.printf(
          "supersede %2d: run %d by %d, older dead %.0f ms, newer compiling %.0f ms%n",
          i + 1, running, newer, last(deadMs), last(compilingMs));
      running = newer;
      pgid = newPgid;
    }
    cancelAndWait(api, running);
    report("newer request → older's group dead", deadMs);
    report("newer request → newer compiling", compilingMs);
  }

  /** SIGKILL of the host compiling → the run compiling again on the other host. */
  static void lostHost(
      String api, String repo, Path dir, int n, String arch, Path jar, Path stackEnv)
      throws Exception {
    Map<String, Path> homes = new LinkedHashMap<>();
    Map<String, Process> workers = new HashMap<>();
    for (String host : List.of("host-a", "host-b")) {
      homes.put(host, dir.resolve(host));
      workers.put(host, startWorker(host, homes.get(host), arch, jar, stackEnv));
    }
    try {
      for (Map.Entry<String, Process> w : workers.entrySet()) {
        awaitWorker(w.getKey(), homes.get(w.getKey()));
      }
      List<Double> againMs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Files.deleteIfExists(dir.resolve("pid"));
        long runId = rebuild(api, repo, arch);
        awaitPid(dir);
        // the compile may start before the ledger has the host that fetched it
        String host = field(get(api + "/runs/" + runId), "host");
        while (!workers.containsKey(host)) {
          Thread.sleep(10);
          host = field(get(api + "/runs/" + runId), "host");
        }
        Files.delete(dir.resolve("pid"));
        long killed = System.nanoTime();
        workers.get(host).destroyForcibly().waitFor();
        awaitPid(dir);
        long again = System.nanoTime();
        // the restart reaches the ledger beside the new compile, not before it
        String view = get(api + "/runs/" + runId);
        long noteDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!view.contains("previous host lost (" + host + ")")) {
          if (System.nanoTime() > noteDeadline) {
            throw new IllegalStateException("no restart note: " + view);
          }
          Thread.sleep(20);
          view = get(api + "/runs/" + runId);
        }
        againMs.add((again - killed) / 1e6);
        System.out.printf(
            "lost host %d: run %d, SIGKILL of %s → compiling on %s after %.0f ms%n",
            i + 1, runId, host, field(view, "host"), last(againMs));
        cancelAndWait(api, runId);
        workers.put(host, startWorker(host, homes.get(host), arch, jar, stackEnv));
        awaitWorker(host, homes.get(host));
      }
      report("SIGKILL → compiling again on the other host", againMs);
    } finally {
      for (Process worker : workers.values()) {
        worker.destroy();
      }
      for (Process worker : workers.values()) {
        if (!worker.waitFor(60, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
    }
  }

  static Process startWorker(String host, Path home, String arch, Path jar, Path stackEnv)
      throws IOException {
    Files.createDirectories(home);
    Files.deleteIfExists(home.resolve("console.log"));
    ProcessBuilder builder =
        new ProcessBuilder(
                "java", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=0.25", "-jar", jar.toString(), "worker",
                "--kiln.worker.archs=" + arch, "--kiln.worker.host=" + host,
                "--kiln.worker.slots=1")
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("console.log").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KILN_") || k.startsWith("SPRING_"));
    for (String line : Files.readAllLines(stackEnv)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 2, line.length() - 1));
      }
    }
    env.put("KILN_HOME", home.toString());
    // the marks directory these benchmarks watch is outside any sandbox: as for the stack's worker
    String sandbox = System.getenv("KILN_WORKER_SANDBOX");
    if (sandbox != null) {
      env.put("KILN_WORKER_SANDBOX", sandbox);
    }
    return builder.start();
  }

  static void awaitWorker(String host, Path home) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(home.resolve("console.log")).contains("The Kiln worker is running")) {
        return;
      }
      pause(200);
    }
    throw new IllegalStateException(host + " did not start: " + Files.readString(home.resolve("console.log")));
  }

  static long rebuild(String api, String repo, String arch) throws Exception {
    String body =
        "{\"repo\":\"" + repo + "\",\"ref\":\"main\"" + (arch == null ? "" : ",\"arch\":\"" + arch + "\"") + "}";
    String accepted =
        send(
            HttpRequest.newBuilder(URI.create(api + "/rebuild"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    Matcher id = Pattern.compile("\"run_id\":(\\d+)").matcher(accepted);
    if (!id.find()) {
      throw new IllegalStateException("rebuild refused: " + accepted);
    }
    return Long.parseLong(id.group(1));
  }

  static long awaitPid(Path dir) throws Exception {
    Path file = dir.resolve("pid");
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        String text = Files.readString(file).trim();
        if (!text.isEmpty()) {
          return Long.parseLong(text);
        }
      }
      pause(2);
    }
    throw new IllegalStateException("no compile wrote " + file);
  }

  static void awaitResult(String api, long runId, String result) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      String view = get(api + "/runs/" + runId);
      if (view.contains("\"result\":\"" + result + "\"")) {
        return;
      }
      if (!view.contains("\"result\":\"building\"")) {
        throw new IllegalStateException("run " + runId + " ended otherwise: " + view);
      }
      pause(10);
    }
    throw new IllegalStateException("run " + runId + " not " + result);
  }

  static String awaitEnd(String api, long runId) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      String view = get(api + "/runs/" + runId);
      if (!view.contains("\"result\":\"building\"")) {
        return view;
      }
      pause(20);
    }
    throw new IllegalStateException("run " + runId + " did not end");
  }

  static void cancelAndWait(String api, long runId) throws Exception {
    send(
        HttpRequest.newBuilder(URI.create(api + "/build-jobs/" + runId + "/cancel"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{}")));
    awaitEnd(api, runId);
  }

  /** Any process whose process group is {@code pgid}, from /proc/<pid>/stat (field 5). */
  static boolean groupAlive(long pgid) {
    return ProcessHandle.allProcesses()
        .anyMatch(
            p -> {
              try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(after[2]) == pgid && !after[0].equals("Z");
              } catch (IOException | RuntimeException e) {
                return false; // gone meanwhile
              }
            });
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  static String get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  static String send(HttpRequest.Builder request) throws Exception {
    return http.send(
            request.timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .body();
  }

  static void report(String what, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    sorted.sort(null);
    System.out.printf(
        "%s over %d: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        what, sorted.size(), percentile(sorted, 50), percentile(sorted, 99), last(sorted));
  }

  static double last(List<Double> values) {
    return values.get(values.size() - 1);
  }

  static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
