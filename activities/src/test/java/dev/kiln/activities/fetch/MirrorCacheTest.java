package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.workflows.FailureTypes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorCacheTest {

  @TempDir Path tmp;

  private OriginRepo origin;
  private MirrorCache cache;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.withCommit(tmp.resolve("origin"));
    cache = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20));
  }

  @AfterEach
  void tearDown() {
    origin.close();
  }

  @Test
  void firstSyncClonesABareMirrorUnderKilnHome() throws Exception {
    String sha =
        cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> head(mirror, "main"));

    Path dir = cache.mirrorDir(origin.url());
    assertThat(dir.getParent()).isEqualTo(tmp.resolve("home/work/mirrors"));
    assertThat(dir.getFileName().toString()).endsWith(".git");
    assertThat(dir.resolve("HEAD")).exists();
    assertThat(dir.resolve("README.md")).doesNotExist();
    assertThat(sha).isEqualTo(origin.repository().resolve("main").name());
    assertThat(lines).first().asString().startsWith("Cloning mirror of file:");
    assertThat(lines).contains("Mirror updated: 1 ref");
  }

  @Test
  void aSecondSyncFetchesIntoTheSameMirrorInsteadOfRecloning() throws Exception {
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    Path dir = cache.mirrorDir(origin.url());
    Object identity = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
    Files.writeString(dir.resolve("kiln-test-marker"), "still here");
    RevCommit pushed = origin.commit("second.txt", "2\n");
    lines.clear();

    String sha =
        cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> head(mirror, "main"));

    assertThat(sha).isEqualTo(pushed.name());
    assertThat(Files.readAttributes(dir, BasicFileAttributes.class).fileKey()).isEqualTo(identity);
    assertThat(dir.resolve("kiln-test-marker")).hasContent("still here");
    assertThat(lines).first().isEqualTo("Updating mirror of " + origin.url() + " (cached)");
    assertThat(lines).noneMatch(line -> line.startsWith("Cloning"));
  }

  @Test
  void anUnchangedOriginLeavesTheMirrorAsItIs() throws Exception {
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    lines.clear();

    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);

    assertThat(lines).contains("Mirror is up to date");
  }

  @Test
  void anUnchangedMirrorStaysOpenBetweenSyncsAndSeesNewCommits() throws Exception {
    Repository first = cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> mirror);
    RevCommit pushed = origin.commit("second.txt", "2\n");

    Repository second =
        cache.sync(
            TestPolicies.url(origin.url()),
            lines::add,
            mirror -> {
              assertThat(mirror.resolve("main")).isEqualTo(pushed);
              return mirror;
            });
    Repository third = cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> mirror);

    assertThat(second).isSameAs(first);
    assertThat(third).isSameAs(first);
  }

  @Test
  void aMirrorWhosePacksSomeoneElseChangedIsOpenedAfresh() throws Exception {
    Repository first = cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> mirror);
    origin.commit("second.txt", "2\n");
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    try (Repository other = MirrorHealth.open(cache.mirrorDir(origin.url()))) {
      Git.wrap(other).gc().call(); // another process repacking the mirror
    }

    Repository after =
        cache.sync(
            TestPolicies.url(origin.url()),
            lines::add,
            mirror -> {
              assertThat(mirror.resolve("main")).isEqualTo(origin.repository().resolve("main"));
              return mirror;
            });

    assertThat(after).isNotSameAs(first);
  }

  @Test
  void onlyTheMirrorsUsedLastStayOpen() throws Exception {
    Repository first = cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> mirror);
    for (int i = 0; i < OpenMirrors.KEPT; i++) {
      try (OriginRepo other = OriginRepo.withCommit(tmp.resolve("other-" + i))) {
        cache.sync(TestPolicies.url(other.url()), lines::add, mirror -> null);
      }
    }

    Repository again = cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> mirror);

    assertThat(again).isNotSameAs(first);
  }

  @Test
  void fetchPrunesDeletedBranchesAndFollowsMovedTags() throws Exception {
    RevCommit first = origin.repository().parseCommit(origin.repository().resolve("main"));
    origin.branch("old");
    origin.lightweightTag("moving", first);
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    origin.deleteBranch("old");
    RevCommit second = origin.commit("b.txt", "b\n");
    origin.lightweightTag("moving", second);

    cache.sync(
        TestPolicies.url(origin.url()),
        lines::add,
        mirror -> {
          assertThat(mirror.exactRef("refs/heads/old")).isNull();
          assertThat(mirror.exactRef("refs/tags/moving").getObjectId()).isEqualTo(second);
          return null;
        });
  }

  @Test
  void theMirrorFollowsAChangeOfTheOriginsDefaultBranch() throws Exception {
    origin.branch("develop");
    assertThat(cache.sync(TestPolicies.url(origin.url()), lines::add, MirrorCacheTest::headTarget))
        .isEqualTo("refs/heads/main");

    origin.checkout("develop");

    assertThat(cache.sync(TestPolicies.url(origin.url()), lines::add, MirrorCacheTest::headTarget))
        .isEqualTo("refs/heads/develop");
  }

  @Test
  void aMirrorThatIsNotARepositoryIsDeletedAndRecloned() throws Exception {
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    Path dir = cache.mirrorDir(origin.url());
    FileTrees.deleteRecursively(dir);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("HEAD"), "garbage");
    lines.clear();

    String sha =
        cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> head(mirror, "main"));

    assertThat(sha).isEqualTo(origin.repository().resolve("main").name());
    assertThat(lines)
        .contains("Mirror " + dir.getFileName() + " is corrupt (not a git repository); re-cloning");
    assertThat(lines).anyMatch(line -> line.startsWith("Cloning mirror of "));
  }

  @Test
  void aMirrorThatLostItsObjectsIsDeletedAndRecloned() throws Exception {
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    Path dir = cache.mirrorDir(origin.url());
    FileTrees.deleteRecursively(dir.resolve("objects/pack"));
    Files.createDirectories(dir.resolve("objects/pack"));
    lines.clear();

    String sha =
        cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> head(mirror, "main"));

    assertThat(sha).isEqualTo(origin.repository().resolve("main").name());
    assertThat(lines)
        .anyMatch(
            line ->
                line.matches(
                    "Mirror .* is corrupt \\(refs/heads/main points to missing object [0-9a-f]{40}\\); re-cloning"));
  }

  @Test
  void aMirrorWithAnUnreadableConfigIsDeletedAndRecloned() throws Exception {
    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);
    Files.writeString(cache.mirrorDir(origin.url()).resolve("config"), "[[[ not a config");
    lines.clear();

    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);

    assertThat(lines)
        .anyMatch(line -> line.contains("is corrupt (") && line.endsWith("re-cloning"));
    assertThat(cache.mirrorDir(origin.url()).resolve("config")).content().doesNotContain("[[[");
  }

  @Test
  void aCloneLeftHalfDoneByACrashIsSweptAway() throws Exception {
    Path dir = cache.mirrorDir(origin.url());
    Path leftover = dir.resolveSibling(dir.getFileName() + ".tmp-crashed");
    Files.createDirectories(leftover.resolve("objects"));

    cache.sync(TestPolicies.url(origin.url()), lines::add, mirror -> null);

    assertThat(leftover).doesNotExist();
    assertThat(dir).isDirectory();
  }

  @Test
  void concurrentSyncsOfOneRepositoryAreSerializedAndCloneOnce() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    List<Future<String>> results = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        // One cache per thread, like several activity instances in one worker.
        MirrorCache own = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20));
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return own.sync(
                      TestPolicies.url(origin.url()),
                      lines::add,
                      mirror -> {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        pause(Duration.ofMillis(100));
                        inside.decrementAndGet();
                        return head(mirror, "main");
                      });
                }));
      }
      go.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS))
            .isEqualTo(origin.repository().resolve("main").name());
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(mostInside).hasValue(1);
    assertThat(lines.stream().filter(line -> line.startsWith("Cloning mirror"))).hasSize(1);
    assertThat(lines.stream().filter(line -> line.startsWith("Updating mirror")))
        .hasSize(threads - 1);
    assertThat(lines).contains("Waiting for another fetch of this repository on this host");
  }

  @Test
  void aSyncWaitsForAnotherWorkerProcessHoldingTheMirrorLock() throws Exception {
    Path dir = cache.mirrorDir(origin.url());
    Files.createDirectories(dir.getParent());
    Process holder = startLockHolder(dir.resolveSibling(dir.getFileName() + ".lock"));
    try {
      CompletableFuture<String> sync =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return cache.sync(
                      TestPolicies.url(origin.url()), lines::add, mirror -> head(mirror, "main"));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> lines.contains("Waiting for another worker process fetching this repository"));
      assertThat(sync).isNotDone();
      assertThat(dir).doesNotExist();

      holder.getOutputStream().close();
      assertThat(sync.get(60, TimeUnit.SECONDS))
          .isEqualTo(origin.repository().resolve("main").name());
    } finally {
      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFileUrlWithNoRepositoryIsABadRepositoryAndLeavesNoMirror() throws IOException {
    String url = tmp.resolve("does-not-exist").toUri().toString();

    assertThatThrownBy(() -> cache.sync(TestPolicies.url(url), lines::add, mirror -> null))
        .isInstanceOfSatisfying(
            BadRepositoryException.class,
            e -> {
              assertThat(e).hasMessage("no git repository at " + url);
              assertThat(e.retryable()).isFalse();
              assertThat(e.failureType()).isEqualTo(FailureTypes.BAD_REPOSITORY);
            });
    assertThat(mirrorsLeft()).isEmpty();
  }

  /** The port's state is the worker's business: the run view says only what kind of failure. */
  @Test
  void aClosedPortIsUnreachableRetryableAndNamesOnlyTheKindOfFailure() throws Exception {
    String url = "http://127.0.0.1:" + closedPort() + "/acme/app.git";

    try (RemoteAccess remotes = loopbackRemotes()) {
      MirrorCache http = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20), remotes);
      assertThatThrownBy(() -> http.sync(TestPolicies.url(url), lines::add, mirror -> null))
          .isInstanceOfSatisfying(
              RepositoryUnreachableException.class,
              e -> {
                assertThat(e).hasMessage("fetch of " + url + " failed: could not connect");
                assertThat(e.getCause()).isNull();
                assertThat(e.retryable()).isTrue();
                assertThat(e.failureType()).isEqualTo(FailureTypes.REPO_UNREACHABLE);
              });
    }
    assertThat(mirrorsLeft()).isEmpty();
  }

  @Test
  void anHttpServerAnsweringNotFoundMeansThereIsNoRepository() throws Exception {
    HttpServer server = httpServer(404);
    try (RemoteAccess remotes = loopbackRemotes()) {
      MirrorCache http = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20), remotes);
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/missing.git";

      assertThatThrownBy(() -> http.sync(TestPolicies.url(url), lines::add, mirror -> null))
          .isInstanceOf(BadRepositoryException.class)
          .hasMessage("no git repository at " + url);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anHttpServerDemandingCredentialsIsUnreachableAndPointsToRepositoryCredentials()
      throws Exception {
    HttpServer server = httpServer(401);
    try (RemoteAccess remotes = loopbackRemotes()) {
      MirrorCache http = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20), remotes);
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/private.git";

      assertThatThrownBy(() -> http.sync(TestPolicies.url(url), lines::add, mirror -> null))
          .isInstanceOf(RepositoryUnreachableException.class)
          .hasMessage(
              "fetch of "
                  + url
                  + " failed: the server asks for credentials: give the workers repository"
                  + " credentials for 127.0.0.1 (kiln.repos.credentials)");
    } finally {
      server.stop(0);
    }
  }

  /** Whatever the server writes is the worker's log's, never the run view's. */
  @Test
  void aServerThatIsNotGitIsReportedWithoutItsAnswer() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] page = "<html>secret internal dashboard: db password hunter2</html>".getBytes();
          exchange.getResponseHeaders().add("Content-Type", "text/html");
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
    server.start();
    try (RemoteAccess remotes = loopbackRemotes()) {
      MirrorCache http = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20), remotes);
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/admin";

      assertThatThrownBy(() -> http.sync(TestPolicies.url(url), lines::add, mirror -> null))
          .isInstanceOfSatisfying(
              FetchException.class,
              e ->
                  assertThat(e.getMessage())
                      .startsWith("fetch of " + url + " failed: ")
                      .doesNotContain("hunter2")
                      .doesNotContain("dashboard")
                      .doesNotContain("html"));
      assertThat(lines).noneMatch(line -> line.contains("hunter2"));
    } finally {
      server.stop(0);
    }
  }

  private static RemoteAccess loopbackRemotes() {
    return RemoteAccess.of(
        TestPolicies.localAndLoopback(), RepositoryCredentials.none(), Duration.ofSeconds(20));
  }

  private static String head(Repository mirror, String branch) throws IOException {
    ObjectId id = mirror.resolve(Constants.R_HEADS + branch);
    return id == null ? null : id.name();
  }

  private static String headTarget(Repository mirror) throws IOException {
    return mirror.exactRef(Constants.HEAD).getTarget().getName();
  }

  /**
   * Holds a sync's critical section open so that the other threads, blocked on the mirror's lock,
   * would overlap it if the lock failed. Not a wait for a condition: nothing observable happens
   * while a thread waits on the lock, so there is nothing for Awaitility to poll.
   */
  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<Path> mirrorsLeft() throws IOException {
    Path mirrors = tmp.resolve("home/work/mirrors");
    if (!Files.exists(mirrors)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(mirrors)) {
      return entries.filter(p -> !p.toString().endsWith(".lock")).toList();
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static HttpServer httpServer(int status) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          if (status == 401) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static Process startLockHolder(Path lockFile) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FileLockHolder.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    // The JVM may print warnings of its own first; "locked" is the line that matters.
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.equals("locked")) {
        return process;
      }
    }
    throw new IllegalStateException("the lock holder exited without taking the lock");
  }
}
