package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers you can see, label and drain, on the real dev stack with two more build hosts as
 * processes of their own ({@code kiln-dev.jar worker}) serving an arch the stack's own worker does
 * not: {@code GET /workers} and {@code kiln workers --json} list both with their labels; a run that
 * requires a label only one has builds there, one that requires a label nobody has fails fast; a
 * drained host finishes its build, takes no new one and exits 0 while the other host takes the
 * queued run; SIGTERM drains the same way. Past the drain timeout a host's build is killed and its
 * run restarts on another host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkersEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(4);

  static final String EXTRA_ARCH = "ppc64le";

  /** host-c's: far shorter than its build. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(3);

  /** The drain watch looks every second; the group then gets its grace period at most. */
  static final Duration KILLED_WITHIN = Duration.ofSeconds(15);

  /**
   * Deadline → the run compiling on another host: the drain watch's second, a fetch and a checkout
   * (1.8 s measured). A restart that waited for the 5 s heartbeat timeout of the killed compile
   * instead would take longer than this.
   */
  static final Duration RESTARTED_WITHIN = Duration.ofSeconds(6);

  static final Pattern DRAINING_UNTIL =
      Pattern.compile("host-c: draining \\(asked through the api\\).* finish until (\\S+)");

  /** Only host-a has it. */
  static final String GPU = "e2e-gpu";

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static final Map<String, JoiningProcess> workers = new LinkedHashMap<>();

  @BeforeAll
  static void startStackAndTwoMoreHosts() throws Exception {
    // The builds coordinate with the test through files in its temporary directory.
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of("KILN_ARCHS", archs(), "KILN_WORKER_SANDBOX", "none"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    workers.put("host-a", launchWorker("host-a", GPU));
    workers.put("host-b", launchWorker("host-b", ""));
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
  @Order(1)
  void workersListsBothHostsWithTheirLabelsAndTheCliPrintsTheSameAsJson() throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> live(api.get("/workers").json()).size() >= 2);
    JsonNode listed = api.get("/workers").json();
    JsonNode a = host(listed, "host-a");
    JsonNode b = host(listed, "host-b");
    assertThat(texts(a.path("labels"))).as(a.toString()).contains(GPU);
    assertThat(texts(b.path("labels"))).as(b.toString()).doesNotContain(GPU);
    assertThat(texts(a.path("archs"))).containsExactly(EXTRA_ARCH);
    assertThat(a.path("slots").asInt()).isEqualTo(2);
    assertThat(a.path("version").asText()).isNotBlank().isNotEqualTo("unknown");
    assertThat(a.path("draining").asBoolean()).isFalse();

    KilnCliProcess.Finished cli =
        KilnCliProcess.run(
            temp.resolve("cli"), stack.baseUrl(), Duration.ofMinutes(1), "workers", "--json");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode printed = JSON.readTree(cli.out());
    assertThat(texts(host(printed, "host-a").path("labels"))).contains(GPU);
    assertThat(host(printed, "host-b").path("state").asText()).isEqualTo("live");
  }

  @Test
  @Order(2)
  void aRunRequiringALabelOnlyOneHostHasBuildsThereAndOneNobodyHasFailsFast() throws Exception {
    List<Long> gpuRuns = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String repo = fixtures.project("labelled-" + i, Map.of("kiln.yaml", quickSpec()));
      gpuRuns.add(rebuild(repo, List.of(GPU)));
    }
    long nobody =
        rebuild(
            fixtures.project("unlabelled", Map.of("kiln.yaml", quickSpec())),
            List.of("e2e-nobody-has-it"));
    long submitted = System.nanoTime();

    JsonNode failed = api.awaitEnd(nobody, Duration.ofMinutes(2));
    Duration took = Duration.ofNanos(System.nanoTime() - submitted);
    assertThat(failed.path("result").asText()).isEqualTo("failed");
    assertThat(failed.path("failure_summary").asText())
        .isEqualTo("no worker for " + EXTRA_ARCH + " with labels [e2e-nobody-has-it]");
    // As fast as an unserved arch: the first no-worker check, 20 s after it was queued.
    assertThat(took).isLessThan(Duration.ofSeconds(45));
    System.out.printf("no worker with the labels: failed after %d ms%n", took.toMillis());

    for (long runId : gpuRuns) {
      JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
      assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
      assertThat(run.path("host").asText()).as(run.toString()).isEqualTo("host-a");
    }
  }

  /**
   * kiln.yaml's {@code requires:}. Both hosts poll the arch's queue, so either may fetch a run and
   * read its file: runs go to host-a whichever did, and host-b hands over the ones it fetched (runs
   * are sent until one was). A retry goes straight to host-a. A label nobody has fails the run as
   * soon as the file is read.
   */
  @Test
  @Order(3)
  void aKilnYamlRequiringALabelOnlyOneHostHasBuildsThereAndOneNobodyHasFailsFast()
      throws Exception {
    String spec = "requires: [" + GPU + "]\n" + quickSpec();
    long moved = 0;
    for (int i = 0; i < 8 && moved == 0; i++) {
      long runId =
          rebuild(fixtures.project("needs-gpu-" + i, Map.of("kiln.yaml", spec)), List.of());
      JsonNode built = api.awaitEnd(runId, BUILD_TIMEOUT);
      assertThat(built.path("result").asText()).as(built.toString()).isEqualTo("passed");
      assertThat(built.path("host").asText()).as(built.toString()).isEqualTo("host-a");
      if (api.get("/runs/" + runId + "/logs").body().contains("host-b lacks [" + GPU + "]")) {
        moved = runId;
      }
    }
    assertThat(moved)
        .as("one of the runs was fetched first by host-b, which lacks the label")
        .isPositive();
    assertThat(api.get("/runs/" + moved + "/logs").body())
        .containsSubsequence(
            "fetch on host-b",
            "kiln.yaml requires [" + GPU + "]; host-b lacks [" + GPU + "]",
            "fetch on host-a",
            "all good");

    KilnHttp.Answer retried = api.post("/runs/" + moved + "/retry", "");
    assertThat(retried.status()).as(retried.body()).isEqualTo(202);
    long retry = retried.json().path("run_id").asLong();
    JsonNode again = api.awaitEnd(retry, BUILD_TIMEOUT);
    assertThat(again.path("result").asText()).as(again.toString()).isEqualTo("passed");
    assertThat(again.path("host").asText()).isEqualTo("host-a");
    assertThat(api.get("/runs/" + retry + "/logs").body())
        .as("the retry required the label from the start")
        .doesNotContain("lacks")
        .doesNotContain("fetch on host-b");

    String nobody = "requires: [e2e-nobody-has-it]\n" + quickSpec();
    long submitted = System.nanoTime();
    long failing =
        rebuild(fixtures.project("needs-nothing-here", Map.of("kiln.yaml", nobody)), List.of());
    JsonNode failed = api.awaitEnd(failing, Duration.ofMinutes(2));
    Duration took = Duration.ofNanos(System.nanoTime() - submitted);
    assertThat(failed.path("result").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.path("failure_summary").asText())
        .isEqualTo("no worker for " + EXTRA_ARCH + " with labels [e2e-nobody-has-it]");
    System.out.printf(
        "kiln.yaml requires a label nobody has: failed after %d ms%n", took.toMillis());
    assertThat(took)
        .as("at once, not after the no-worker timeout")
        .isLessThan(Duration.ofSeconds(15));
  }

  @Test
  @Order(4)
  void aDrainedHostFinishesItsBuildTakesNoNewOneAndExitsZeroWhileTheOtherTakesTheQueuedRun()
      throws Exception {
    Path shared = Files.createDirectories(temp.resolve("drain"));
    long first =
        rebuild(fixtures.project("slow-1", Map.of("kiln.yaml", slowSpec(shared))), List.of());
    JsonNode compiling = awaitCompiling(first);
    String drained = compiling.path("host").asText();
    String other = drained.equals("host-a") ? "host-b" : "host-a";

    KilnHttp.Answer asked = api.put("/workers/" + drained + "/drain", "");
    assertThat(asked.status()).as(asked.body()).isEqualTo(200);
    assertThat(asked.json().path("draining").asBoolean()).isTrue();
    KilnHttp.Answer unknown = api.put("/workers/no-such-host/drain", "");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    // The host hears of it in the answer to its next report.
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> workers.get(drained).console().contains("draining (asked through the api)"));

    // The drained host has a free slot, yet the next runs go to the other host.
    long second = rebuild(fixtures.project("quick-2", Map.of("kiln.yaml", quickSpec())), List.of());
    long third = rebuild(fixtures.project("quick-3", Map.of("kiln.yaml", quickSpec())), List.of());
    for (long runId : List.of(second, third)) {
      JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
      assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
      assertThat(run.path("host").asText()).as(run.toString()).isEqualTo(other);
    }

    JsonNode slow = api.awaitEnd(first, BUILD_TIMEOUT);
    assertThat(slow.path("result").asText()).as(slow.toString()).isEqualTo("passed");
    assertThat(slow.path("host").asText()).isEqualTo(drained);
    assertThat(api.get("/runs/" + first + "/logs").body()).contains("slept 20 s");
    assertThat(workers.get(drained).awaitExit(Duration.ofSeconds(60))).isZero();
    assertThat(workers.get(drained).console()).contains("drained: no build left; the worker exits");
  }

  @Test
  @Order(5)
  void sigtermDrainsAWorkerItsBuildFinishesAndItExitsZero() throws Exception {
    String remaining =
        workers.entrySet().stream()
            .filter(e -> e.getValue().isAlive())
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow();
    Path shared = Files.createDirectories(temp.resolve("sigterm"));
    long runId =
        rebuild(fixtures.project("slow-term", Map.of("kiln.yaml", slowSpec(shared))), List.of());
    assertThat(awaitCompiling(runId).path("host").asText()).isEqualTo(remaining);

    workers.get(remaining).terminate();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> workers.get(remaining).console().contains("draining (SIGTERM)"));
    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    assertThat(api.get("/runs/" + runId + "/logs").body()).contains("slept 20 s");
    assertThat(workers.get(remaining).awaitExit(Duration.ofSeconds(60))).isZero();
  }

  /**
   * Past the drain timeout: host-c (3 s) holds a compile of a minute when it is drained; at the
   * deadline its build's process group is killed, the run starts over on host-d as for a lost host
   * and passes there, the log keeps both attempts, the run ends once, and host-c exits 0.
   */
  @Test
  @Order(6)
  void pastTheDrainTimeoutTheBuildIsKilledAndTheRunRestartsOnAnotherHostWhileTheDrainedExitsZero()
      throws Exception {
    assertThat(workers.values())
        .as("hosts a and b drained away")
        .noneMatch(JoiningProcess::isAlive);
    workers.put("host-c", launchWorker("host-c", "", DRAIN_TIMEOUT).awaitRunning());
    Path shared = Files.createDirectories(temp.resolve("past-deadline"));
    // The first attempt records its process group and sleeps a minute; the restarted one records
    // when it started compiling (nanoseconds since the epoch, this machine's clock).
    String spec =
        """
        compile:
          - run: |
              if mkdir %1$s/first-attempt 2>/dev/null; then
                echo $$ > %1$s/first.pgid
                echo "first attempt sleeps"
                sleep 60
                echo "first attempt slept 60 s"
              else
                date +%%s%%N > %1$s/second.started
                echo "second attempt compiled"
              fi
        gates:
          - name: unit
            run: echo "all good"
        """
            .formatted(shared);
    long runId = rebuild(fixtures.project("past-deadline", Map.of("kiln.yaml", spec)), List.of());
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(
            () ->
                Files.exists(shared.resolve("first.pgid"))
                    && !Files.readString(shared.resolve("first.pgid")).isBlank());
    long pgid = Long.parseLong(Files.readString(shared.resolve("first.pgid")).trim());
    assertThat(api.get("/runs/" + runId).json().path("host").asText()).isEqualTo("host-c");
    // host-d comes only now, so the first attempt could only go to host-c
    workers.put("host-d", launchWorker("host-d", "", Duration.ofMinutes(10)).awaitRunning());

    KilnHttp.Answer asked = api.put("/workers/host-c/drain", "");
    assertThat(asked.status()).as(asked.body()).isEqualTo(200);
    JoiningProcess drained = workers.get("host-c");
    Matcher until =
        Awaitility.await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> DRAINING_UNTIL.matcher(drained.console()), m -> m.find());
    Instant deadline = Instant.parse(until.group(1));

    Awaitility.await()
        .atMost(DRAIN_TIMEOUT.plus(KILLED_WITHIN))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !HostProcesses.groupAlive(pgid));
    Instant killedBy = Instant.now();
    assertThat(drained.awaitExit(Duration.ofSeconds(60))).isZero();
    assertThat(drained.console())
        .contains("drain timeout (PT3S) passed with 1 build(s) running: stopping them");

    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    assertThat(run.path("host").asText()).isEqualTo("host-d");
    assertThat(run.path("restarts")).as(run.toString()).hasSize(1);
    assertThat(run.path("restarts").get(0).path("note").asText())
        .startsWith("restarted on host-d: previous host lost (host-c");
    String log = api.get("/runs/" + runId + "/logs").body();
    assertThat(log)
        .containsSubsequence(
            "fetch on host-c",
            "first attempt sleeps",
            "restarted on host-d: previous host lost",
            "fetch on host-d",
            "second attempt compiled",
            "all good")
        .doesNotContain("\nfirst attempt slept");
    String finished = "run " + runId + " finished: ";
    assertThat(stack.console().split(Pattern.quote(finished), -1))
        .as("terminal writes the ledger took")
        .hasSize(2);

    Instant compilingElsewhere =
        Instant.ofEpochSecond(
            0, Long.parseLong(Files.readString(shared.resolve("second.started")).trim()));
    Duration deadlineToKilled = Duration.between(deadline, killedBy);
    Duration deadlineToRestarted = Duration.between(deadline, compilingElsewhere);
    System.out.printf(
        "drain past its timeout: the build's group gone by %d ms after the deadline; compiling on"
            + " host-d %d ms after it%n",
        deadlineToKilled.toMillis(), deadlineToRestarted.toMillis());
    assertThat(deadlineToRestarted)
        .as("restarted promptly, not after a heartbeat timeout on top")
        .isLessThan(RESTARTED_WITHIN);
  }

  private static JsonNode awaitCompiling(long runId) {
    JsonNode[] run = {null};
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              run[0] = api.get("/runs/" + runId).json();
              return "compiling".equals(run[0].path("phase").asText())
                  && workers.containsKey(run[0].path("host").asText());
            });
    return run[0];
  }

  private static long rebuild(String repo, List<String> requires) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("repo", repo);
    body.put("ref", "main");
    body.put("arch", EXTRA_ARCH);
    if (!requires.isEmpty()) {
      body.put("requires", requires);
    }
    KilnHttp.Answer answer = api.rebuild(body);
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    return answer.json().path("run_id").asLong();
  }

  private static String quickSpec() {
    return """
        compile:
          - run: echo "compiled"
        gates:
          - name: unit
            run: echo "all good"
        """;
  }

  /** A compile of 20 s. */
  private static String slowSpec(Path shared) {
    return """
        compile:
          - run: |
              touch %s/started
              sleep 20
              echo "slept 20 s"
        gates:
          - name: unit
            run: echo "all good"
        """
        .formatted(shared);
  }

  private static List<JsonNode> live(JsonNode page) {
    List<JsonNode> live = new ArrayList<>();
    for (JsonNode worker : page.path("workers")) {
      if ("live".equals(worker.path("state").asText())
          && workers.containsKey(worker.path("host").asText())) {
        live.add(worker);
      }
    }
    return live;
  }

  private static JsonNode host(JsonNode page, String name) {
    for (JsonNode worker : page.path("workers")) {
      if (name.equals(worker.path("host").asText())) {
        return worker;
      }
    }
    throw new AssertionError("no " + name + " in " + page);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
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

  /** A build worker serving only {@link #EXTRA_ARCH}, with two slots and {@code labels}. */
  private static JoiningProcess launchWorker(String host, String labels) throws IOException {
    return launchWorker(host, labels, Duration.ofMinutes(10));
  }

  private static JoiningProcess launchWorker(String host, String labels, Duration drainTimeout)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KILN_WORKER_ARCHS", EXTRA_ARCH);
    env.put("KILN_WORKER_HOST", host);
    env.put("KILN_WORKER_SLOTS", "2");
    env.put("KILN_WORKER_SANDBOX", "none");
    env.put("KILN_WORKER_LABELS", labels);
    env.put("KILN_WORKER_DRAINTIMEOUT", drainTimeout.toSeconds() + "s");
    return JoiningProcess.launch(stack, "worker", temp.resolve(host), env);
  }
}
