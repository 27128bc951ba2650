package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lane control on the real dev stack, with more build hosts as separate processes ({@code
 * kiln-dev.jar worker}): a host SIGKILLed mid-compile is replaced by another of its arch, and
 * twenty rebuilds racing into one lane leave exactly one build standing, never two compiling at
 * once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaneControlEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** The extra hosts serve only this arch; the stack's own worker serves the machine's. */
  static final String EXTRA_ARCH = "ppc64le";

  /** Heartbeat timeout (15 s) and the restart's fetch; the target is 30 s. */
  static final Duration LOST_HOST_LIMIT = Duration.ofSeconds(20);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static final Map<String, JoiningProcess> workers = new HashMap<>();

  @BeforeAll
  static void startStackAndTwoMoreHosts() throws Exception {
    // Its builds coordinate with the test through files in the test's temporary directory, which a
    // sandboxed build cannot see: these stacks run builds without one (SandboxEndToEndIT covers
    // the sandbox).
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of("KILN_ARCHS", archs(), "KILN_WORKER_SANDBOX", "none"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    for (String host : List.of("host-a", "host-b")) {
      workers.put(host, launchWorker(host));
    }
    for (JoiningProcess worker : workers.values()) {
      worker.awaitRunning();
    }
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (JoiningProcess worker : workers.values()) {
      worker.close();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aHostKilledMidCompileIsReplacedByAnotherOfItsArchAndItsOrphanDiesWhenItComesBack()
      throws Exception {
    Path shared = Files.createDirectories(temp.resolve("lost-host"));
    // The first attempt (whichever host) sleeps in a grandchild; the restarted one is quick.
    String spec =
        """
        compile:
          - run: |
              if [ ! -f %1$s/first ]; then
                touch %1$s/first
                echo "slow attempt"
                sleep 600 &
                echo $! > %1$s/sleep.pid
                wait
              fi
              echo "compiled"
            timeout: 20m
        gates:
          - name: unit
            run: echo "all good"
        """
            .formatted(shared);
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    long runId =
        api.rebuild(Map.of("repo", repo, "ref", "main", "arch", EXTRA_ARCH))
            .json()
            .path("run_id")
            .asLong();
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(
            () ->
                api.get("/runs/" + runId + "/logs").body().contains("slow attempt")
                    && Files.exists(shared.resolve("sleep.pid")));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !Files.readString(shared.resolve("sleep.pid")).isBlank());
    long orphan = Long.parseLong(Files.readString(shared.resolve("sleep.pid")).trim());
    JsonNode compiling = api.get("/runs/" + runId).json();
    String lostHost = compiling.path("host").asText();
    assertThat(workers).as(compiling.toString()).containsKey(lostHost);
    String otherHost = lostHost.equals("host-a") ? "host-b" : "host-a";

    long killedAt = System.nanoTime();
    workers.get(lostHost).kill();
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .pollDelay(Duration.ZERO)
        .until(() -> compilingAgain(api.get("/runs/" + runId).json()));
    Duration detected = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "lost host: SIGKILL of %s -> run %d compiling again on %s after %d ms%n",
        lostHost, runId, otherHost, detected.toMillis());
    assertThat(alive(orphan)).as("the killed host's compile outlives its JVM").isTrue();
    assertThat(workspaces(lostHost)).as("and so does its workspace").hasSize(1);
    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);

    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    assertThat(run.path("host").asText()).isEqualTo(otherHost);
    assertThat(run.path("restarts")).hasSize(1);
    assertThat(run.path("restarts").get(0).path("note").asText())
        .isEqualTo("restarted on " + otherHost + ": previous host lost (" + lostHost + ")");
    assertThat(api.get("/runs/" + runId + "/logs").body())
        .containsSubsequence(
            "fetch on " + lostHost,
            "slow attempt",
            "restarted on " + otherHost + ": previous host lost (" + lostHost + ")",
            "fetch on " + otherHost,
            "compiled");
    assertThat(detected).isLessThan(LOST_HOST_LIMIT);

    // the host comes back on the same KILN_HOME and first kills what its previous life left
    JoiningProcess restarted = launchWorker(lostHost);
    workers.put(lostHost, restarted);
    restarted.awaitRunning();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !alive(orphan));
    assertThat(workspaces(lostHost))
        .as("the restarted host removed its previous life's workspace")
        .isEmpty();
    assertThat(workspaces(otherHost)).as("the run cleaned up where it passed").isEmpty();
  }

  /** The workspaces on disk of a host started by {@link #launchWorker}. */
  private static List<Path> workspaces(String host) throws IOException {
    Path runs = temp.resolve(host).resolve("work/runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (var dirs = Files.list(runs)) {
      return dirs.toList();
    }
  }

  /**
   * A host whose CPU its own build saturates still heartbeats: four busy loops on the machine's two
   * cores for five heartbeat timeouts, and the run passes where it started, never restarted.
   */
  @Test
  void aHostBusyWithItsOwnBuildIsNeverTakenForLost() throws Exception {
    String spec =
        """
        compile:
          - run: |
              for i in 1 2 3 4; do (while :; do :; done) & done
              sleep 25
              kill $(jobs -p)
              echo "burned"
        """;
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    long runId =
        api.rebuild(Map.of("repo", repo, "ref", "main", "arch", EXTRA_ARCH))
            .json()
            .path("run_id")
            .asLong();

    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);

    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    assertThat(run.path("restarts")).as(run.toString()).isEmpty();
    assertThat(api.get("/runs/" + runId + "/logs").body()).contains("burned");
  }

  @Test
  void twentyRebuildsRacingIntoOneLaneLeaveOnePassedNineteenSupersededAndNoTwoCompilesOverlap()
      throws Exception {
    Path intervals = temp.resolve("compile-intervals.log");
    String spec =
        """
        compile:
          - run: |
              echo "start $(date +%%s%%N) $$" >> %1$s
              trap 'echo "end $(date +%%s%%N) $$" >> %1$s; exit 143' TERM
              sleep 4 &
              wait
              echo "end $(date +%%s%%N) $$" >> %1$s
        gates:
          - name: unit
            run: echo "all good"
        """
            .formatted(intervals);
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    int requests = 20;
    ConcurrentLinkedQueue<Long> runIds = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
    Runnable rebuild =
        () -> {
          try {
            KilnHttp.Answer answer = api.rebuild(Map.of("repo", repo, "ref", "main"));
            if (answer.status() == 202) {
              runIds.add(answer.json().path("run_id").asLong());
            } else {
              refused.add(answer.status() + " " + answer.body());
            }
          } catch (Exception e) {
            refused.add(e.toString());
          }
        };
    // The first one compiling before the other 19 arrive at once: sent all at the same instant,
    // the lane would coalesce them before any compile started, and none would be cut short.
    rebuild.run();
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(() -> Files.exists(intervals) && Files.readString(intervals).contains("start"));
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService clients = Executors.newFixedThreadPool(requests - 1);
    try {
      for (int i = 1; i < requests; i++) {
        clients.execute(
            () -> {
              try {
                go.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              rebuild.run();
            });
      }
      go.countDown();
      clients.shutdown();
      assertThat(clients.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
    } finally {
      clients.shutdownNow();
    }
    assertThat(refused).isEmpty();
    assertThat(runIds).hasSize(requests);

    List<JsonNode> runs = new ArrayList<>();
    for (long id : runIds) {
      runs.add(api.awaitEnd(id, BUILD_TIMEOUT));
    }

    Map<String, Long> byResult =
        runs.stream()
            .collect(Collectors.groupingBy(r -> r.path("result").asText(), Collectors.counting()));
    assertThat(byResult)
        .as(byResult.toString())
        .containsOnly(Map.entry("passed", 1L), Map.entry("aborted", 19L));
    Set<Long> ids = Set.copyOf(runIds);
    for (JsonNode run : runs) {
      if (run.path("result").asText().equals("aborted")) {
        assertThat(run.path("superseded_by").asLong()).as(run.toString()).isIn(ids);
      }
    }
    List<long[]> compiles = compileIntervals(intervals);
    System.out.printf(
        "20-way supersede: %d compiles started, none overlapping: %s%n",
        compiles.size(), describe(compiles));
    assertThat(compiles).as("the first compile, cut short, then the last").hasSizeGreaterThan(1);
    for (int i = 1; i < compiles.size(); i++) {
      assertThat(compiles.get(i)[0])
          .as("compile %d starts after compile %d ended", i, i - 1)
          .isGreaterThanOrEqualTo(compiles.get(i - 1)[1]);
    }
  }

  private static boolean compilingAgain(JsonNode run) {
    return run.path("restarts").size() >= 1
        && Set.of("compiling", "staging", "gating", "done").contains(run.path("phase").asText());
  }

  /** {@code [start, end]} in epoch nanoseconds per compile, by start; every start has an end. */
  private static List<long[]> compileIntervals(Path file) throws Exception {
    Map<String, long[]> byShell = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] parts = line.trim().split(" ");
      long[] interval = byShell.computeIfAbsent(parts[2], pid -> new long[] {-1, -1});
      interval[parts[0].equals("start") ? 0 : 1] = Long.parseLong(parts[1]);
    }
    List<long[]> sorted = new ArrayList<>(byShell.values());
    sorted.sort(Comparator.comparingLong(i -> i[0]));
    for (long[] interval : sorted) {
      assertThat(interval[0]).as("a compile without a start line").isPositive();
      assertThat(interval[1]).as("a compile without an end line").isPositive();
    }
    return sorted;
  }

  private static String describe(List<long[]> compiles) {
    long origin = compiles.isEmpty() ? 0 : compiles.get(0)[0];
    return compiles.stream()
        .map(i -> "[" + (i[0] - origin) / 1_000_000 + "–" + (i[1] - origin) / 1_000_000 + " ms]")
        .collect(Collectors.joining(" "));
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static String archs() {
    String machine = System.getProperty("os.arch");
    String own =
        switch (machine) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> machine;
        };
    return own + "," + EXTRA_ARCH;
  }

  /** A build worker serving only {@link #EXTRA_ARCH}, with one slot; its KILN_HOME is per host. */
  private static JoiningProcess launchWorker(String host) throws IOException {
    return JoiningProcess.launch(
        stack,
        "worker",
        temp.resolve(host),
        Map.of(
            "KILN_WORKER_ARCHS",
            EXTRA_ARCH,
            "KILN_WORKER_HOST",
            host,
            "KILN_WORKER_SLOTS",
            "1",
            "KILN_WORKER_SANDBOX",
            "none"));
  }
}
