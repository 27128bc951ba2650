package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.fetch.MirrorNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build isolation on the real dev stack: every escape a build might try, as a kiln.yaml step, must
 * fail to do harm while the run's other steps still work; every limit must hold; real projects of
 * each detected build system must still build inside the sandbox. What a step could have harmed is
 * checked from the host, not by the step.
 *
 * <p>The stack's KILN_HOME is under {@code target/}, not the temporary directory (which every step
 * gets a private copy of anyway) nor the home (replaced by the run's), so that hiding KILN_HOME
 * itself is what keeps its token and other runs' workspaces out of reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** The api's log cap for this stack: the flood test must not store 64 MiB of "y". */
  static final String LOG_CAP = "4MB";

  /** ProcessConfig's per-command output cap, which bounds the spool file. */
  static final long SPOOL_CAP = 64L << 20;

  @TempDir static Path temp;
  static Path home;
  static Path spools;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static String canary;

  @BeforeAll
  static void startStack() throws Exception {
    home =
        Files.createDirectories(
            Path.of("target", "sandbox-e2e-" + System.nanoTime()).toAbsolutePath());
    spools = Files.createDirectories(temp.resolve("spools"));
    canary = "canary-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    // a secret in the worker's environment, as a token from the environment would be
    env.put("KILN_E2E_CANARY", canary);
    // the output spools of this stack's commands, and nothing else, land here
    env.put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + spools);
    env.put("KILN_LOGS_MAXBYTESPERRUN", LOG_CAP);
    env.put("KILN_WORKER_SLOTS", "2");
    // the fork bomb's step ends at SIGKILL after the grace period: keep it short
    env.put("KILN_WORKER_GRACE_PERIOD", "3s");
    stack = DevStackProcess.start(home, env);
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
    deleteTree(home);
  }

  @Test
  void theBannerSaysBuildsRunInTheSandbox() {
    assertThat(stack.console()).contains("Build sandbox:   bwrap, limits by cgroup");
  }

  @Test
  void everyEscapeAttemptFailsToDoHarmAndTheRunsOtherStepsStillWork() throws Exception {
    String marker = "9" + (System.nanoTime() % 10_000_000L);
    Path otherWorkspace = Files.createDirectories(stack.home.resolve("work/runs/999999-1"));
    Files.writeString(otherWorkspace.resolve("secret.txt"), "another run's secret");
    Path otherCache =
        Files.createDirectories(stack.home.resolve("caches/other-repo/maven/org/victim"));
    Files.writeString(otherCache.resolve("lib.jar"), "genuine");
    Path userHome = Path.of(System.getProperty("user.home"));
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", escapeSpec(marker)));
    Path ownMirror = stack.home.resolve("work/mirrors/" + MirrorNames.of(repo) + ".git");
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("TOKEN_FILE", stack.home.resolve("worker.token").toString());
    paths.put("CANARY_A", canary.substring(0, 10));
    paths.put("CANARY_B", canary.substring(10));
    paths.put("OTHER_WORKSPACE", otherWorkspace.toString());
    paths.put("MIRRORS", stack.home.resolve("work/mirrors").toString());
    paths.put("OWN_MIRROR", ownMirror.toString());
    paths.put("STACK_HOME", stack.home.toString());
    paths.put("OTHER_CACHE", otherCache.toString());
    GitFixtures.commitFile(repo, "kiln.yaml", escapeSpec(marker) + env(paths));

    JsonNode run = api.awaitEnd(rebuild(repo), BUILD_TIMEOUT);
    String log = log(run);

    assertThat(HostProcesses.environmentContains(stack.pid(), canary))
        .as("the canary is there to find, for anyone who can see the worker")
        .isTrue();
    assertThat(Files.readString(stack.home.resolve("worker.token"))).isNotBlank();
    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("passed");
    for (JsonNode gate : run.path("gates")) {
      assertThat(gate.path("status").asText()).as(gate.toString()).isEqualTo("passed");
    }
    assertThat(run.path("gates")).hasSize(8);
    assertThat(log)
        .contains("worker.token: No such file or directory")
        .contains("no process shows the worker's environment")
        .contains("secret.txt: No such file or directory")
        .contains("cannot write /etc/kiln-escape")
        .contains("cannot write " + ownMirror + "/kiln-escape")
        .contains("none of the worker's")
        .contains("four daemons started")
        .contains("lib.jar: No such file or directory")
        .contains("caches here: own")
        .doesNotContain("another run's secret")
        .doesNotContain(canary);
    for (Path target :
        List.of(
            Path.of("/etc/kiln-escape"),
            Path.of("/usr/kiln-escape"),
            stack.home.resolve("work/mirrors/kiln-escape"),
            ownMirror.resolve("kiln-escape"),
            stack.home.resolve("kiln-escape"),
            userHome.resolve("kiln-escape"))) {
      assertThat(target).as("written from inside the sandbox").doesNotExist();
    }
    assertThat(HostProcesses.startingWith("sleep " + marker)).as("daemons left behind").isEmpty();
    assertThat(otherCache.resolve("lib.jar")).hasContent("genuine");
    String ownCache = MirrorNames.of(repo);
    assertThat(stack.home.resolve("caches/" + ownCache + "/maven/org/own/lib.jar"))
        .hasContent("mine");
    assertThat(run.path("sandbox").asText()).isEqualTo("bwrap");
    assertThat(run.path("limits").path("enforced_by").asText()).startsWith("cgroup v");
    assertThat(run.path("limits").path("network").asBoolean()).isTrue();
    assertThat(run.path("steps")).hasSize(9);
    for (JsonNode step : run.path("steps")) {
      assertThat(step.path("peak_memory_bytes").asLong()).as(step.toString()).isPositive();
      assertThat(step.path("cpu_seconds").isNumber()).as(step.toString()).isTrue();
    }
  }

  private static String escapeSpec(String marker) {
    return """
        compile:
          - run: echo built > built.txt
        gates:
          - name: read-token-file
            run: |
              if cat "$TOKEN_FILE"; then echo "LEAKED the worker token"; exit 1; fi
          - name: read-worker-environment
            run: |
              printf '%%s%%s' "$CANARY_A" "$CANARY_B" > /tmp/pattern
              if grep -lsFf /tmp/pattern /proc/[0-9]*/environ /proc/[0-9]*/cmdline; then
                echo "LEAKED the worker's environment"; exit 1
              fi
              echo "no process shows the worker's environment"
          - name: read-other-workspace
            run: |
              if cat "$OTHER_WORKSPACE/secret.txt"; then echo "LEAKED"; exit 1; fi
          - name: write-outside-workspace
            run: |
              for target in /etc/kiln-escape /usr/kiln-escape "$OWN_MIRROR/kiln-escape"; do
                if touch "$target" 2>/dev/null; then echo "LEAKED: wrote $target"; exit 1; fi
                echo "cannot write $target"
              done
              # Where $KILN_HOME lies under /tmp, these paths are in the step's own /tmp: a write
              # there lands in the sandbox, and only the host can tell (the test looks there).
              for target in "$MIRRORS/kiln-escape" "$STACK_HOME/kiln-escape"; do
                touch "$target" 2>/dev/null && echo "wrote $target" || echo "cannot write $target"
              done
              touch ~/kiln-escape && echo "wrote ~/kiln-escape in this run's own home"
          - name: list-worker-processes
            run: |
              echo "pids: $(ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ')"
              if grep -qx java /proc/[0-9]*/comm; then echo "LEAKED: saw the worker"; exit 1; fi
              echo "$(ls /proc | grep -cE '^[0-9]+$') processes visible, none of the worker's"
          - name: leave-daemons
            run: |
              setsid sleep %1$s1 &
              nohup sleep %1$s2 >/dev/null 2>&1 &
              (sleep %1$s3 &)
              sleep %1$s4 & disown
              echo "four daemons started"
          - name: poison-another-repositorys-cache
            run: |
              if echo poison > "$OTHER_CACHE/lib.jar"; then echo "LEAKED: poisoned"; exit 1; fi
              mkdir -p ~/.m2/repository/org/own
              echo mine > ~/.m2/repository/org/own/lib.jar
              echo "caches here: $(ls ~/.m2/repository/org)"
          - name: still-works
            run: cat built.txt ~/.m2/repository/org/own/lib.jar
        """
        .formatted(marker);
  }

  @Test
  void aMemoryHogIsKilledWithAPreciseSummary() throws Exception {
    String spec =
        """
        compile:
          - run: head -c 2G /dev/zero | tail > /dev/null
        resources:
          memory: 256m
        """;
    JsonNode run = rebuildAndWait(fixtures.repository("c-make", Map.of("kiln.yaml", spec)));

    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("failed");
    assertThat(run.path("failure_summary").asText())
        .isEqualTo("compile killed: memory limit 256 MiB exceeded");
    assertThat(run.path("limits").path("memory_bytes").asLong()).isEqualTo(256L << 20);
    assertThat(run.path("steps").get(0).path("peak_memory_bytes").asLong())
        .isBetween(200L << 20, 256L << 20);
  }

  @Test
  void aForkBombStopsAtTheProcessLimitTheHostStaysResponsiveAndTheNextRunPasses() throws Exception {
    String spec =
        """
        compile:
          - run: "bomb() { bomb | bomb & }; bomb; sleep 60"
            timeout: 10s
        resources:
          pids: 128
          cpus: 1
        """;
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    long runId = rebuild(repo);
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(() -> api.get("/runs/" + runId + "/logs").body().contains("$ bomb()"));
    long slowest = 0;
    int mostBombs = 0;
    while ("building".equals(api.get("/runs/" + runId).json().path("result").asText())) {
      long began = System.nanoTime();
      api.get("/runs/" + runId);
      slowest = Math.max(slowest, System.nanoTime() - began);
      mostBombs =
          Math.max(mostBombs, HostProcesses.startingWith("bash -eo pipefail -c bomb()").size());
      TimeUnit.MILLISECONDS.sleep(500);
    }
    JsonNode run = api.get("/runs/" + runId).json();
    GitFixtures.commitFile(repo, "kiln.yaml", "compile:\n  - run: echo calm again\n");
    JsonNode next = rebuildAndWait(repo);

    System.out.printf(
        "fork bomb: at most %d bomb processes seen, slowest api answer %d ms%n",
        mostBombs, slowest / 1_000_000);
    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("failed");
    assertThat(run.path("failure_summary").asText())
        .isEqualTo("compile timed out after 10s (process limit 128 reached)");
    assertThat(mostBombs).isLessThanOrEqualTo(128);
    assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(2));
    assertThat(HostProcesses.startingWith("bash -eo pipefail -c bomb()")).isEmpty();
    assertThat(next.path("result").asText()).as(describe(next)).isEqualTo("passed");
  }

  @Test
  void yesAtFullSpeedForAMinuteKeepsTheSpoolWithinTheOutputCapAndTheStoredLogAtTheLogCap()
      throws Exception {
    String spec =
        """
        compile:
          - run: timeout 60 yes || test $? -eq 124
        """;
    long runId = rebuild(fixtures.repository("c-make", Map.of("kiln.yaml", spec)));
    List<Long> samples = new ArrayList<>();
    long mostInTmpdir = 0;
    while ("building".equals(api.get("/runs/" + runId).json().path("result").asText())) {
      // the command's spools only: the stack's JVM keeps other temporary files here too
      samples.add(outputSpoolsKib(spools) << 10);
      mostInTmpdir = Math.max(mostInTmpdir, diskUsedKib(spools) << 10);
      TimeUnit.MILLISECONDS.sleep(250);
    }
    JsonNode run = api.get("/runs/" + runId).json();
    String log = log(run);
    List<Long> sorted = samples.stream().sorted().toList();
    long median = sorted.get(sorted.size() / 2);
    long p90 = sorted.get(sorted.size() * 9 / 10);
    long most = sorted.get(sorted.size() - 1);

    System.out.printf(
        "yes for 60 s: spool on disk median %d MiB, p90 %d MiB, max %d MiB (%d samples);"
            + " the whole temporary directory at most %d MiB%n",
        median >> 20, p90 >> 20, most >> 20, samples.size(), mostInTmpdir >> 20);
    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("passed");
    assertThat(most).as("the spool was followed at all").isPositive();
    // The relay copies the cap and one byte into the spool and only counts the rest, however busy
    // the machine: du's block rounding on top, and nothing else.
    assertThat(most).as("spool on disk, max").isLessThanOrEqualTo(SPOOL_CAP + (1L << 20));
    assertThat(log.length()).isLessThan((4 << 20) + (64 << 10));
    assertThat(log).contains("log truncated at 4 MiB");
  }

  @Test
  void aTwentyGibSparseFileAgainstATenGibDiskLimitStopsTheStep() throws Exception {
    String spec =
        """
        compile:
          - run: dd if=/dev/zero of=big.img bs=1M count=1 seek=20479 && sleep 60
        resources:
          disk: 10g
        """;
    JsonNode run = rebuildAndWait(fixtures.repository("c-make", Map.of("kiln.yaml", spec)));

    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("failed");
    assertThat(run.path("failure_summary").asText())
        .isEqualTo("compile killed: workspace exceeded 10 GiB");
  }

  @Test
  void withoutNetworkALoopbackServerIsUnreachableWithTheRealErrorAndWithTheDefaultItAnswers()
      throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "hello from the loopback server\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      int port = server.getAddress().getPort();
      String gate =
          "gates:\n  - name: download\n    run: curl -sS --max-time 10 http://127.0.0.1:"
              + port
              + "/dependency.tar.gz\n";
      long offline =
          rebuild(fixtures.repository("c-make", Map.of("kiln.yaml", gate + "network: false\n")));
      long online = rebuild(fixtures.repository("c-make", Map.of("kiln.yaml", gate)));
      JsonNode without = api.awaitEnd(offline, BUILD_TIMEOUT);
      JsonNode with = api.awaitEnd(online, BUILD_TIMEOUT);

      assertThat(without.path("result").asText()).as(describe(without)).isEqualTo("failed");
      assertThat(without.path("failure_summary").asText())
          .contains("Failed to connect to 127.0.0.1 port " + port);
      assertThat(without.path("limits").path("network").asBoolean()).isFalse();
      assertThat(with.path("result").asText()).as(describe(with)).isEqualTo("passed");
      assertThat(log(with)).contains("hello from the loopback server");
    } finally {
      server.stop(0);
    }
  }

  /**
   * Small real projects of each build system Kiln detects, each with a test, built from scratch:
   * dependencies come from Maven Central, the Go module proxy and crates.io into the repository's
   * fresh caches.
   */
  @Test
  void realProjectsOfEachDetectedBuildSystemPassInsideTheSandbox() throws Exception {
    Map<String, Long> runs = new LinkedHashMap<>();
    for (String fixture :
        List.of("autotools-lib", "cmake-lib", "go-module", "cargo-crate", "maven-passing")) {
      runs.put(fixture, rebuild(fixtures.repository(fixture, Map.of())));
    }
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, Long> entry : runs.entrySet()) {
      JsonNode run = api.awaitEnd(entry.getValue(), BUILD_TIMEOUT);
      if (!"passed".equals(run.path("result").asText())
          || !"bwrap".equals(run.path("sandbox").asText())
          || run.path("gates").isEmpty()) {
        failures.add(entry.getKey() + ": " + describe(run));
      }
    }
    assertThat(failures).isEmpty();
  }

  private static long rebuild(String repo) throws Exception {
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "supersede", false));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return accepted.json().path("run_id").asLong();
  }

  private static JsonNode rebuildAndWait(String repo) throws Exception {
    return api.awaitEnd(rebuild(repo), BUILD_TIMEOUT);
  }

  private static String log(JsonNode run) throws Exception {
    return api.get("/runs/" + run.path("run_id").asLong() + "/logs").body();
  }

  private static String env(Map<String, String> values) {
    StringBuilder yaml = new StringBuilder("env:\n");
    values.forEach(
        (name, value) -> yaml.append("  ").append(name).append(": '").append(value).append("'\n"));
    return yaml.toString();
  }

  /**
   * Blocks the files under {@code dir} take on disk ({@code du}: a sparse file's holes are free).
   */
  private static long outputSpoolsKib(Path dir) throws IOException, InterruptedException {
    Process du = new ProcessBuilder("du", "-ak", dir.toString()).redirectErrorStream(true).start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    du.waitFor();
    long kib = 0;
    for (String line : out.split("\n")) {
      String[] sizeAndPath = line.trim().split("\t", 2);
      if (sizeAndPath.length == 2
          && Path.of(sizeAndPath[1]).getFileName().toString().startsWith("kiln-output-")) {
        kib += Long.parseLong(sizeAndPath[0]);
      }
    }
    return kib;
  }

  private static long diskUsedKib(Path dir) throws IOException, InterruptedException {
    Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    du.waitFor();
    return Long.parseLong(out.trim().split("\\s+")[0]);
  }

  private static String describe(JsonNode run) {
    try {
      String log = log(run);
      String tail = log.length() > 4000 ? log.substring(log.length() - 4000) : log;
      return run.toPrettyString() + "\n--- log tail ---\n" + tail;
    } catch (Exception e) {
      return run.toPrettyString();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        path.toFile().setWritable(true);
        Files.deleteIfExists(path);
      }
    }
  }
}
