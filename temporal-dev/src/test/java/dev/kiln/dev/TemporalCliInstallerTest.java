package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.TemporalCliInstaller.GoVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the installer against a stand-in {@code go} script: a real child process, not a mock. */
class TemporalCliInstallerTest {

  @TempDir Path tmp;

  private Path goDir;
  private Path kilnBin;
  private Path invocations;

  @BeforeEach
  void layout() throws IOException {
    goDir = Files.createDirectories(tmp.resolve("go/bin"));
    kilnBin = Files.createDirectories(tmp.resolve("kiln/bin"));
    invocations = tmp.resolve("invocations");
  }

  private TemporalCliInstaller installer() {
    return new TemporalCliInstaller(Map.of("PATH", goDir.toString()), kilnBin, List.of());
  }

  /** A {@code go} that reports {@code version} and runs {@code installBody} for "install". */
  private void fakeGo(String version, String installBody) throws IOException {
    Path go = goDir.resolve("go");
    Files.writeString(
        go,
        "#!/bin/sh\n"
            + "echo \"$*\" >> '"
            + invocations
            + "'\n"
            + "case \"$1\" in\n"
            + "  env) echo "
            + version
            + " ;;\n"
            + "  install)\n"
            + installBody
            + "\n ;;\n"
            + "esac\n");
    Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static final String SUCCESSFUL_INSTALL =
      """
      echo "go: downloading github.com/temporalio/cli v1.5.1"
      echo "github.com/temporalio/cli/cmd/temporal"
      printf '#!/bin/sh\\necho installed\\n' > "$GOBIN/temporal"
      chmod +x "$GOBIN/temporal"
      """;

  @Test
  void parsesGoVersions() {
    assertThat(TemporalCliInstaller.parseGoVersion("go1.25.0")).contains(new GoVersion(1, 25));
    assertThat(TemporalCliInstaller.parseGoVersion("go1.26.8\n")).contains(new GoVersion(1, 26));
    assertThat(TemporalCliInstaller.parseGoVersion("go1.26rc1")).contains(new GoVersion(1, 26));
    assertThat(TemporalCliInstaller.parseGoVersion("devel go1.27-abcdef"))
        .contains(new GoVersion(1, 27));
    assertThat(TemporalCliInstaller.parseGoVersion("command not found")).isEmpty();
  }

  @Test
  void comparesGoVersions() {
    GoVersion minimum = TemporalCliInstaller.MINIMUM_GO;
    assertThat(new GoVersion(1, 25).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(1, 26).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(2, 0).isAtLeast(minimum)).isTrue();
    assertThat(new GoVersion(1, 24).isAtLeast(minimum)).isFalse();
  }

  @Test
  void installsTheCliIntoKilnHomeBin() throws IOException {
    fakeGo("go1.25.3", SUCCESSFUL_INSTALL);

    TemporalCliInstaller.Result result = installer().installIfPossible();

    Path installed = kilnBin.resolve("temporal");
    assertThat(result.cli()).contains(installed);
    assertThat(Files.isExecutable(installed)).isTrue();
    assertThat(Files.readAllLines(invocations))
        .contains("install -v github.com/temporalio/cli/cmd/temporal@v1.5.1");
    try (Stream<Path> left = Files.list(kilnBin)) {
      assertThat(left).containsExactly(installed); // the scratch directory is gone
    }
  }

  @Test
  void refusesAGoOlderThan125() throws IOException {
    fakeGo("go1.24.5", SUCCESSFUL_INSTALL);

    TemporalCliInstaller.Result result = installer().installIfPossible();

    assertThat(result.cli()).isEmpty();
    assertThat(result.reason()).contains("go1.24").contains("go1.25");
    assertThat(Files.readAllLines(invocations)).noneMatch(line -> line.startsWith("install"));
  }

  @Test
  void reportsAFailedInstall() throws IOException {
    fakeGo("go1.26.1", "echo 'go: module lookup disabled by GOPROXY=off' >&2; exit 1");

    TemporalCliInstaller.Result result = installer().installIfPossible();

    assertThat(result.cli()).isEmpty();
    assertThat(result.reason()).contains("exit code 1");
    assertThat(kilnBin.resolve("temporal")).doesNotExist();
  }

  @Test
  void saysSoWhenThereIsNoGo() {
    TemporalCliInstaller.Result result = installer().installIfPossible();

    assertThat(result.cli()).isEmpty();
    assertThat(result.reason()).contains("Go is not installed");
  }
}
