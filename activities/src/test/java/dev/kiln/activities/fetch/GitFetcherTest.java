package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.activities.fetch.GitFetcher.CheckedOut;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitFetcherTest {

  @TempDir Path tmp;

  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private OriginRepo origin;
  private Map<String, RevCommit> commits;
  private RemoteAccess remotes;
  private GitFetcher fetcher;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    RevCommit released = origin.commit("VERSION", "1.0\n");
    origin.annotatedTag("v1.0", released);
    origin.lightweightTag("v1.0-light", released);
    RevCommit tip = origin.commit("VERSION", "1.1-SNAPSHOT\n");
    origin.branch("feature/x");
    origin.checkout("feature/x");
    RevCommit feature = origin.commit("feature.txt", "x\n");
    origin.checkout("main");
    commits = Map.of("released", released, "tip", tip, "feature", feature);
    remotes =
        RemoteAccess.of(
            TestPolicies.localAndLoopback(), RepositoryCredentials.none(), Duration.ofSeconds(20));
    fetcher = new GitFetcher(tmp.resolve("home"), TestPolicies.localAndLoopback(), remotes);
  }

  @AfterEach
  void tearDown() {
    origin.close();
    remotes.close();
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(
      nullValues = "null",
      value = {
        "null, tip, main",
        "main, tip, main",
        "refs/heads/main, tip, main",
        "feature/x, feature, feature/x",
        "refs/heads/feature/x, feature, feature/x",
        "v1.0, released, null",
        "refs/tags/v1.0, released, null",
        "v1.0-light, released, null",
      })
  void checksOutEveryFormOfNamedRef(String ref, String commit, String branch) throws Exception {
    CheckedOut checkedOut = fetcher.fetch(origin.url(), ref, 1, lines::add);

    assertThat(checkedOut.sha()).isEqualTo(commits.get(commit).name());
    assertThat(checkedOut.branch()).isEqualTo(branch);
    assertThat(checkedOut.workspace().resolve("VERSION"))
        .hasContent(commit.equals("released") ? "1.0" : "1.1-SNAPSHOT");
  }

  @Test
  void checksOutFullAndShortShasWithoutABranch() throws Exception {
    String feature = commits.get("feature").name();

    CheckedOut full = fetcher.fetch(origin.url(), feature, 2, lines::add);
    CheckedOut shortSha = fetcher.fetch(origin.url(), feature.substring(0, 7), 2, lines::add);

    assertThat(full.sha()).isEqualTo(feature);
    assertThat(full.branch()).isNull();
    assertThat(full.workspace().resolve("feature.txt")).hasContent("x");
    assertThat(shortSha.sha()).isEqualTo(feature);
    assertThat(shortSha.workspace()).isNotEqualTo(full.workspace());
  }

  @Test
  void tellsTheRunLogWhatItDoes() throws Exception {
    CheckedOut checkedOut = fetcher.fetch(origin.url(), "main", 42, lines::add);

    String tip = commits.get("tip").name().substring(0, 7);
    assertThat(lines)
        .containsSubsequence(
            "Fetching " + origin.url() + " at main",
            "Cloning mirror of " + origin.url() + " (first fetch on this host)",
            "Mirror updated: 4 refs",
            "Resolved branch main → " + tip,
            "Checked out " + tip + " into " + checkedOut.workspace());
    assertThat(checkedOut.workspace()).isEqualTo(tmp.resolve("home/work/runs/42-1"));
  }

  @Test
  void aLaterRunOfTheSameRepositoryReusesTheMirrorAndSeesNewCommits() throws Exception {
    fetcher.fetch(origin.url(), null, 1, lines::add);
    RevCommit pushed = origin.commit("VERSION", "1.2-SNAPSHOT\n");
    lines.clear();

    CheckedOut second = fetcher.fetch(origin.url(), null, 2, lines::add);

    assertThat(second.sha()).isEqualTo(pushed.name());
    assertThat(lines).contains("Updating mirror of " + origin.url() + " (cached)");
    assertThat(lines).noneMatch(line -> line.startsWith("Cloning"));
  }

  @Test
  void anUnknownRefFailsWithExactlyRefNotFound() {
    assertThatThrownBy(() -> fetcher.fetch(origin.url(), "feature/y", 3, lines::add))
        .isInstanceOf(RefNotFoundException.class)
        .hasMessage("ref not found: feature/y");
    assertThat(tmp.resolve("home/work/runs/3-1")).doesNotExist();
  }

  @Test
  void anAmbiguousShortShaFails() throws Exception {
    ObjectId[] twins = origin.commitsWithSharedPrefix("fillers");
    String prefix = twins[0].name().substring(0, 4);

    assertThatThrownBy(() -> fetcher.fetch(origin.url(), prefix, 4, lines::add))
        .isInstanceOf(AmbiguousRefException.class)
        .hasMessageStartingWith("ambiguous ref: " + prefix + " matches 2 commits");
  }

  @Test
  void aDisallowedUrlIsRejectedBeforeTouchingDisk() {
    assertThatThrownBy(() -> fetcher.fetch("ext::sh -c id", null, 5, lines::add))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessage(
            "repository not allowed: transport \"ext::\" is not allowed; use the repository's"
                + " https:// URL");
    assertThatThrownBy(() -> fetcher.fetch("git@github.com:acme/app.git", null, 5, lines::add))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessageStartingWith(
            "repository not allowed: ssh addresses such as host:path are not supported");
    assertThat(tmp.resolve("home")).doesNotExist();
    assertThat(lines).isEmpty();
  }

  @Test
  void aRevisionExpressionIsRefusedAsARefBeforeTouchingDisk() {
    assertThatThrownBy(() -> fetcher.fetch(origin.url(), "main~1", 5, lines::add))
        .isInstanceOfSatisfying(
            RefNotFoundException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessage(
            "ref not allowed: must not contain \"~\": name a branch, tag or sha, not a revision"
                + " expression (such as main~1)");
    assertThatThrownBy(() -> fetcher.fetch(origin.url(), "", 5, lines::add))
        .hasMessage("ref not allowed: must not be empty; leave it out for the default branch");
    assertThat(tmp.resolve("home")).doesNotExist();
  }

  @Test
  void fileUrlsNeedTheDevStackFlag() {
    RepositoryPolicy production = RepositoryPolicy.of(false, List.of());
    GitFetcher fetcher = new GitFetcher(tmp.resolve("home"), production, remotes);

    assertThatThrownBy(() -> fetcher.fetch(origin.url(), null, 6, lines::add))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessageStartingWith(
            "repository not allowed: file:// URLs are only allowed on the dev stack");
  }

  @Test
  void aTokenInTheUrlIsRefusedWithoutEverAppearing() {
    String url = "http://ci:t0ken@127.0.0.1:" + 9 + "/x.git";

    assertThatThrownBy(() -> fetcher.fetch(url, null, 9, lines::add))
        .isInstanceOfSatisfying(
            BadRepositoryException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("kiln.repos.credentials")
                    .doesNotContain("t0ken")
                    .doesNotContain("ci:"));
    assertThat(lines).isEmpty();
  }

  /**
   * A file:// URL naming no repository is a bad repository, not an unreachable one: the local
   * "server" answered definitively, and no retry will make a repository appear there. A server that
   * cannot be reached at all (below) is the retryable case.
   */
  @Test
  void aFileUrlWithoutARepositoryIsABadRepository() throws Exception {
    Path notARepo = Files.createDirectories(tmp.resolve("plain-dir"));

    assertThatThrownBy(() -> fetcher.fetch(notARepo.toUri().toString(), null, 8, lines::add))
        .isInstanceOfSatisfying(
            BadRepositoryException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessage("no git repository at " + notARepo.toUri());
  }

  @Test
  void aServerThatCannotBeReachedIsRetryable() throws Exception {
    String url = "http://127.0.0.1:" + closedPort() + "/x.git";

    assertThatThrownBy(() -> fetcher.fetch(url, null, 9, lines::add))
        .isInstanceOfSatisfying(
            RepositoryUnreachableException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessage("fetch of " + url + " failed: could not connect");
  }

  @Test
  void concurrentFetchesOfOneRepositoryShareOneMirrorAndGetTheirOwnWorkspaces() throws Exception {
    int runs = 3;
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CheckedOut>> results = new ArrayList<>();
    try {
      for (int run = 1; run <= runs; run++) {
        long runId = 100 + run;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return fetcher.fetch(origin.url(), "main", runId, lines::add);
                }));
      }
      go.countDown();
      List<Path> workspaces = new ArrayList<>();
      for (Future<CheckedOut> result : results) {
        CheckedOut checkedOut = result.get(60, TimeUnit.SECONDS);
        assertThat(checkedOut.sha()).isEqualTo(commits.get("tip").name());
        workspaces.add(checkedOut.workspace());
      }
      assertThat(workspaces).doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
    assertThat(lines.stream().filter(line -> line.startsWith("Cloning mirror"))).hasSize(1);
  }

  @Test
  void removeDeletesTheWorkspaceAndCanBeRepeated() throws Exception {
    CheckedOut checkedOut = fetcher.fetch(origin.url(), null, 10, lines::add);

    fetcher.remove(checkedOut.workspace());
    fetcher.remove(checkedOut.workspace());

    assertThat(checkedOut.workspace()).doesNotExist();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
