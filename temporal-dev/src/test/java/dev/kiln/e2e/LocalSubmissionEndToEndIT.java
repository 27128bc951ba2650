package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln rebuild DIR} as a real process against the real dev stack: a working tree is built as
 * it is — an uncommitted change to a tracked file and an untracked file in, an ignored file out —
 * through {@code POST /submissions}, the worker's fetch of the upload from the api, and the build
 * sandbox; {@code --follow} exits with the result; an upload past {@code
 * kiln.submissions.max-bytes} is exit 3 with one line (a 413 problem from the api). Also {@code
 * kiln retry} and {@code kiln queue}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalSubmissionEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** Small, so that a test can pass it without writing much. */
  static final int MAX_BYTES = 256 * 1024;

  private static final Pattern QUEUED = Pattern.compile("run (\\d+) queued in lane ");

  /** Passes only on the working tree as it is, uncommitted change and untracked file included. */
  private static final String CHECKS_THE_WORKING_TREE =
      """
      compile:
        - run: |
            grep -qx "uncommitted change" tracked.txt || { echo "tracked.txt is not the working tree's"; exit 1; }
            test -f untracked.txt || { echo "untracked.txt is missing"; exit 1; }
            if [ -e ignored.log ]; then echo "ignored.log was uploaded"; exit 1; fi
            echo "built the working tree: $(cat untracked.txt)"
      """;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;

  @BeforeAll
  static void startStack() throws Exception {
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of("KILN_SUBMISSIONS_MAX_BYTES", MAX_BYTES / 1024 + "KB"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStackWithoutOrphans() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  private static KilnCliProcess.Finished kiln(String... args) throws Exception {
    return KilnCliProcess.run(temp.resolve("cli"), stack.baseUrl(), BUILD_TIMEOUT, args);
  }

  private static long queuedRunId(String stderr) {
    Matcher queued = QUEUED.matcher(stderr);
    assertThat(queued.find()).as(stderr).isTrue();
    return Long.parseLong(queued.group(1));
  }

  /** A git working tree with {@code kiln.yaml} committed, a tracked file and an ignore rule. */
  private static Path workingTree(String label, String kilnYaml) throws Exception {
    String uri =
        fixtures.project(
            label,
            Map.of("kiln.yaml", kilnYaml, "tracked.txt", "committed\n", ".gitignore", "*.log\n"));
    return Path.of(URI.create(uri));
  }

  @Test
  void aWorkingTreeWithAnUncommittedChangeAndAnUntrackedFileBuildsAsItIsAndExitsZero()
      throws Exception {
    Path dir = workingTree("local-pass", CHECKS_THE_WORKING_TREE);
    Files.writeString(dir.resolve("tracked.txt"), "uncommitted change\n");
    Files.writeString(dir.resolve("untracked.txt"), "not yet added\n");
    Files.writeString(dir.resolve("ignored.log"), "must stay on this machine\n");
    String headBefore;
    byte[] indexBefore = Files.readAllBytes(dir.resolve(".git/index"));
    try (Git git = Git.open(dir.toFile())) {
      headBefore = git.getRepository().resolve(Constants.HEAD).name();
    }

    KilnCliProcess.Finished kiln = kiln("rebuild", dir.toString(), "--follow");

    assertThat(kiln.exitCode()).as(kiln.toString()).isZero();
    assertThat(kiln.out()).contains("built the working tree: not yet added");
    long runId = queuedRunId(kiln.err());
    assertThat(kiln.err()).contains("run " + runId + " passed");
    JsonNode run = api.get("/runs/" + runId).json();
    String repo = "local:" + dir.getFileName();
    assertThat(run.path("result").asText()).isEqualTo("passed");
    assertThat(run.path("source").asText()).isEqualTo("local");
    assertThat(run.path("repo").asText()).isEqualTo(repo);
    assertThat(run.path("lane").asText()).startsWith(repo + "#local@");
    assertThat(run.path("sha").asText()).isEqualTo(run.path("ref").asText()).hasSize(40);
    try (Git git = Git.open(dir.toFile())) {
      assertThat(git.getRepository().resolve(Constants.HEAD).name()).isEqualTo(headBefore);
    }
    assertThat(Files.readAllBytes(dir.resolve(".git/index"))).isEqualTo(indexBefore);
  }

  @Test
  void aFailingLocalChangeFollowsToExitOneWithTheFailureSummary() throws Exception {
    Path dir = workingTree("local-fail", "compile:\n  - run: echo fine\n");
    Files.writeString(
        dir.resolve("kiln.yaml"),
        """
        compile:
          - run: |
              echo "error: broken.c:1: the local change breaks the build"
              exit 1
        """);

    KilnCliProcess.Finished kiln = kiln("rebuild", dir.toString(), "--follow");

    assertThat(kiln.exitCode()).as(kiln.toString()).isEqualTo(1);
    assertThat(kiln.out()).contains("error: broken.c:1: the local change breaks the build");
    long runId = queuedRunId(kiln.err());
    JsonNode run = api.get("/runs/" + runId).json();
    assertThat(run.path("result").asText()).isEqualTo("failed");
    assertThat(kiln.err()).contains("run " + runId + " failed");
  }

  @Test
  void anUploadPastTheLimitIsExitThreeWithOneLineFromTheApisProblem() throws Exception {
    Path dir = workingTree("local-large", "compile:\n  - run: echo never\n");
    byte[] noise = new byte[MAX_BYTES * 2];
    new Random(42).nextBytes(noise); // incompressible: the bundle stays past the limit
    Files.write(dir.resolve("noise.bin"), noise);
    int runsBefore = api.get("/runs").json().path("runs").size();

    KilnCliProcess.Finished kiln = kiln("rebuild", dir.toString(), "--follow");
    KilnHttp.Answer raw =
        api.post(
            "/submissions?name=raw",
            new byte[MAX_BYTES + 1],
            "Content-Type",
            "application/x-git-bundle");

    assertThat(kiln.exitCode()).as(kiln.toString()).isEqualTo(3);
    assertThat(kiln.out()).isEmpty();
    assertThat(kiln.err().lines().filter(line -> line.startsWith("kiln: "))).hasSize(1);
    assertThat(kiln.err())
        .contains("kiln: 413: the upload (")
        .contains("kiln.submissions.max-bytes");
    assertThat(raw.status()).isEqualTo(413);
    assertThat(raw.contentType()).startsWith("application/problem+json");
    assertThat(raw.json().path("detail").asText()).contains("kiln.submissions.max-bytes");
    assertThat(api.get("/runs").json().path("runs").size()).isEqualTo(runsBefore);
  }

  @Test
  void retryBuildsARunAgainAndQueueParsesAsJson() throws Exception {
    String repo =
        fixtures.repository("c-make", Map.of("kiln.yaml", "compile:\n  - run: echo ok\n"));
    KilnCliProcess.Finished first = kiln("rebuild", repo, "--ref", "main", "--follow");
    long runId = queuedRunId(first.err());
    assertThat(first.exitCode()).as(first.toString()).isZero();

    KilnCliProcess.Finished retry = kiln("retry", Long.toString(runId), "--json");
    KilnCliProcess.Finished queue = kiln("queue", "--json");
    KilnCliProcess.Finished table = kiln("queue");

    assertThat(retry.exitCode()).as(retry.toString()).isZero();
    long retryId = new ObjectMapper().readTree(retry.out()).path("run_id").asLong();
    assertThat(retryId).isGreaterThan(runId);
    assertThat(kiln("logs", "-f", Long.toString(retryId)).exitCode()).isZero();
    assertThat(api.get("/runs/" + retryId).json().path("retry_of").asLong()).isEqualTo(runId);
    assertThat(queue.exitCode()).as(queue.toString()).isZero();
    JsonNode archs = new ObjectMapper().readTree(queue.out()).path("archs");
    assertThat(archs.isArray()).isTrue();
    assertThat(archs.get(0).has("free_slots")).isTrue();
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ARCH");
  }

  @Test
  void aLocalSubmissionIsNotRetriedButSubmittedAgain() throws Exception {
    Path dir = workingTree("local-retry", "compile:\n  - run: echo once\n");
    KilnCliProcess.Finished built = kiln("rebuild", dir.toString(), "--follow");
    long runId = queuedRunId(built.err());

    KilnCliProcess.Finished retry = kiln("retry", Long.toString(runId));

    assertThat(retry.exitCode()).as(retry.toString()).isEqualTo(3);
    assertThat(retry.err()).contains("409", "submit the directory again");
  }
}
