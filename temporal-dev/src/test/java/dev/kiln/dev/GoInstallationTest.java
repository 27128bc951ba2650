package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.dev.GoInstallation.GoVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a stand-in {@code go} script: a real child process, not a mock. */
class GoInstallationTest {

  @TempDir Path tmp;

  private GoInstallation installation(FakeInstallers fakes) {
    return new GoInstallation(Map.of("PATH", fakes.path()), List.of());
  }

  @Test
  void parsesGoVersions() {
    assertThat(GoInstallation.parseGoVersion("go1.25.0")).contains(new GoVersion(1, 25));
    assertThat(GoInstallation.parseGoVersion("go1.26.8\n")).contains(new GoVersion(1, 26));
    assertThat(GoInstallation.parseGoVersion("go1.26rc1")).contains(new GoVersion(1, 26));
    assertThat(GoInstallation.parseGoVersion("devel go1.27-abcdef")).contains(new GoVersion(1, 27));
    assertThat(GoInstallation.parseGoVersion("command not found")).isEmpty();
  }

  @Test
  void comparesGoVersions() {
    GoVersion minimum = GoInstallation.MINIMUM_GO;
    assertThat(new GoVersion(1, 25).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(1, 26).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(2, 0).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(1, 24).isAtLeast(minimum)).isFalse();
  }

  @Test
  void buildsTheCliIntoBinOfTheDirectoryItIsGiven() throws Exception {
    FakeInstallers fakes =
        new FakeInstallers(tmp.resolve("tools")).go("go1.25.3", FakeInstallers.GO_BUILDS_THE_CLI);
    Path scratch = tmp.resolve("scratch");

    assertThat(installation(fakes).unavailableBecause()).isEmpty();
    installation(fakes).into(scratch);

    assertThat(TemporalCli.version(scratch.resolve("bin/temporal")))
        .map(TemporalCliVersion::cli)
        .contains("0.0.0-DEV");
    assertThat(fakes.installCalls())
        .containsExactly("go install -v github.com/temporalio/cli/cmd/temporal@v1.5.1");
    assertThat(installation(fakes).cacheEntry()).isEqualTo("go-v1.5.1");
  }

  @Test
  void refusesAGoOlderThan125() throws Exception {
    FakeInstallers fakes =
        new FakeInstallers(tmp.resolve("tools")).go("go1.24.5", FakeInstallers.GO_BUILDS_THE_CLI);

    assertThat(installation(fakes).unavailableBecause())
        .hasValueSatisfying(reason -> assertThat(reason).contains("go1.24").contains("go1.25"));
  }

  @Test
  void reportsAFailedBuildWithTheGoToolsLastWords() throws Exception {
    FakeInstallers fakes =
        new FakeInstallers(tmp.resolve("tools"))
            .go("go1.26.1", "echo 'go: module lookup disabled by GOPROXY=off' >&2; exit 1");

    assertThatThrownBy(() -> installation(fakes).into(tmp.resolve("scratch")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exit code 1")
        .hasMessageContaining("GOPROXY=off");
  }

  @Test
  void saysSoWhenThereIsNoGo() throws Exception {
    FakeInstallers noTools = new FakeInstallers(tmp.resolve("empty"));

    assertThat(installation(noTools).unavailableBecause())
        .hasValueSatisfying(reason -> assertThat(reason).contains("Go is not installed"));
  }
}
