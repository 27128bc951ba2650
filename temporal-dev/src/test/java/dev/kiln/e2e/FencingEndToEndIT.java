package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing of a stale build attempt on the real dev stack, with two build hosts as processes of
 * their own: the JVM of the host compiling is frozen (SIGSTOP) past the heartbeat timeout, so the
 * run starts over on the other host; when it thaws (SIGCONT), its build's process group dies at
 * once, the api refuses what it still sends (unless the host hears from Temporal first and sends
 * nothing more), the stored log has nothing of its attempt from after the new one began, and the
 * run ends once, passed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FencingEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** The extra hosts serve only this arch; the stack's own worker serves the machine's. */
  static final String EXTRA_ARCH = "ppc64le";

  /** Longer than the heartbeat timeout of a host's steps (5 s). */
  static final Duration FROZEN_AT_LEAST = Duration.ofSeconds(6);

  /** "A's build is gone within a few seconds" of the thaw. */
  static final Duration KILLED_WITHIN = Duration.ofSeconds(5);

  static final Pattern LINE = Pattern.compile("attempt-([AB]) line (\\d+)");

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static final Map<String, JoiningProcess> workers = new LinkedHashMap<>();

  @BeforeAll
  static void startStackAndTwoHosts() throws Exception {
    // the build tells the test its process group through a file: no sandbox
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
      worker.thaw();
      worker.close();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aFrozenHostThatComesBackHasItsBuildKilledAndNothingItSendsStored() throws Exception {
    Path shared = Files.createDirectories(temp.resolve("fencing"));
    // The first attempt (whichever host) records its process group; each attempt prints a
    // numbered line every 200 ms for 30 s, tagged with its attempt.
    String spec =
        """
        compile:
          - run: |
              if mkdir %1$s/first-attempt 2>/dev/null; then
                tag=A
                echo $$ > %1$s/first.pgid
              else
                tag=B
              fi
              for i in $(seq 1 150); do echo "attempt-$tag line $i"; sleep 0.2; done
            timeout: 20m
        gates:
          - name: unit
            run: echo "all good"
        """
            .formatted(shared);
    String repo = fixtures.project("numbered-lines", Map.of("kiln.yaml", spec));
    long runId =
        api.rebuild(Map.of("repo", repo, "ref", "main", "arch", EXTRA_ARCH))
            .json()
            .path("run_id")
            .asLong();
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(
            () ->
                Files.exists(shared.resolve("first.pgid"))
                    && linesOf(log(runId), "A").size() >= 10);
    long pgid = Long.parseLong(Files.readString(shared.resolve("first.pgid")).trim());
    JsonNode compiling = api.get("/runs/" + runId).json();
    String hostA = compiling.path("host").asText();
    assertThat(workers).as(compiling.toString()).containsKey(hostA);
    String hostB = hostA.equals("host-a") ? "host-b" : "host-a";
    double staleBefore = staleWrites();

    JoiningProcess frozen = workers.get(hostA);
    frozen.freeze();
    long frozenAt = System.nanoTime();
    // Frozen past the heartbeat timeout, until the workflow has made attempt 2 current at the api
    // (before it schedules the new fetch); thawed then, while the build has lines to send.
    Awaitility.await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                Duration.ofNanos(System.nanoTime() - frozenAt).compareTo(FROZEN_AT_LEAST) >= 0
                    && stack
                        .console()
                        .contains(
                            "run " + runId + ": attempt 2 began; writes of earlier attempts"));
    Duration frozenFor = Duration.ofNanos(System.nanoTime() - frozenAt);
    List<Integer> storedOfA = linesOf(log(runId), "A");
    assertThat(HostProcesses.groupAlive(pgid)).as("the frozen host's build runs on").isTrue();

    frozen.thaw();
    long thawedAt = System.nanoTime();
    Awaitility.await()
        .atMost(KILLED_WITHIN)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !HostProcesses.groupAlive(pgid));
    Duration killedAfter = Duration.ofNanos(System.nanoTime() - thawedAt);
    System.out.printf(
        "fencing: %s frozen %d ms (heartbeat timeout 5 s) until attempt 2 began; its build's"
            + " group gone %d ms after SIGCONT%n",
        hostA, frozenFor.toMillis(), killedAfter.toMillis());

    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    assertThat(run.path("host").asText()).isEqualTo(hostB);
    assertThat(run.path("restarts")).hasSize(1);
    assertThat(run.path("restarts").get(0).path("note").asText())
        .isEqualTo("restarted on " + hostB + ": previous host lost (" + hostA + ")");

    double refused = staleWrites() - staleBefore;
    System.out.printf("fencing: the api refused %.0f stale write(s) of %s%n", refused, hostA);
    assertThat(frozen.console()).contains("run " + runId + " attempt 1 is superseded");
    // Two threads race on the thawed host: its log uploader, and its heartbeat, whose answer (or
    // the SDK's own deadline, long past) says Temporal gave up on the attempt. Either fence holds.
    if (refused > 0) {
      assertThat(stack.console()).contains("-> 409 stale attempt 1 of run " + runId);
    } else {
      assertThat(frozen.console())
          .as("sent nothing: it heard from Temporal first")
          .containsPattern(
              "run "
                  + runId
                  + " attempt 1 is superseded \\((Temporal no longer knows|its heartbeat timed out)");
    }
    assertThat(frozen.isAlive()).as("the host itself lives on").isTrue();

    String log = log(runId);
    assertThat(linesOf(log, "A"))
        .as("lines of the stale attempt stored: none after attempt 2 began")
        .isEqualTo(storedOfA);
    List<Integer> ofB = linesOf(log, "B");
    assertThat(ofB).as("the new attempt's lines, each once").hasSize(150);
    for (int i = 0; i < ofB.size(); i++) {
      assertThat(ofB.get(i)).isEqualTo(i + 1);
    }
    String note = "restarted on " + hostB + ": previous host lost (" + hostA + ")";
    assertThat(log.indexOf(note)).isGreaterThan(log.lastIndexOf("attempt-A line"));
    assertThat(log.indexOf("attempt-B line 1\n")).isGreaterThan(log.indexOf(note));
    String finished = "run " + runId + " finished: ";
    assertThat(stack.console().split(Pattern.quote(finished), -1))
        .as("terminal writes the ledger took")
        .hasSize(2);
    assertThat(stack.console()).doesNotContain("run " + runId + " already finished");
  }

  /** The numbers of the lines {@code attempt-<tag> line <n>} in the log, in log order. */
  private static List<Integer> linesOf(String log, String tag) {
    List<Integer> numbers = new ArrayList<>();
    Matcher line = LINE.matcher(log);
    while (line.find()) {
      if (line.group(1).equals(tag)) {
        numbers.add(Integer.parseInt(line.group(2)));
      }
    }
    return numbers;
  }

  private static String log(long runId) throws Exception {
    return api.get("/runs/" + runId + "/logs").body();
  }

  /** {@code kiln_stale_writes_total}, summed over its labels, from the api's scrape. */
  private static double staleWrites() throws Exception {
    double total = 0;
    for (String line : api.get("/actuator/prometheus").body().split("\n")) {
      if (line.startsWith("kiln_stale_writes_total")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
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
