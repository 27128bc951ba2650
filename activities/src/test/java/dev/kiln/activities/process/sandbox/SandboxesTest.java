package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failing closed: a worker that cannot isolate builds is told exactly why. */
class SandboxesTest {

  private static final ResourceLimits LIMITS =
      new ResourceLimits(1L << 30, 1, 64, 1L << 30, Duration.ofMinutes(1));

  @TempDir Path home;

  private SandboxSettings withoutBwrap() {
    return SandboxSettings.forWorker(
        home,
        Map.of("PATH", home.resolve("no-such-bin").toString()),
        List.of(),
        List.of(),
        LIMITS,
        SandboxSettings.Enforcement.PRLIMIT,
        "w");
  }

  @Test
  void withoutBwrapTheSandboxIsRefusedNamingWhatToInstallAndTheWayOut() {
    assertThatThrownBy(() -> Sandboxes.create(Sandboxes.Mode.BWRAP, withoutBwrap(), home))
        .isInstanceOf(Sandboxes.SandboxUnavailableException.class)
        .hasMessage(
            "the build sandbox cannot be set up: bwrap is not installed (Debian/Ubuntu: apt-get"
                + " install bubblewrap). Fix that, or set kiln.worker.sandbox=none to run builds"
                + " without isolation");
  }

  @Test
  void autoFallsBackToNoneAndSaysWhy() throws Exception {
    Sandbox sandbox = Sandboxes.create(Sandboxes.Mode.AUTO, withoutBwrap(), home);

    assertThat(sandbox.kind()).isEqualTo("none");
    assertThat(sandbox.describe())
        .isEqualTo(
            "none: builds are NOT isolated, because bwrap is not installed (Debian/Ubuntu:"
                + " apt-get install bubblewrap)");
  }

  @Test
  void noneIsNoneWhateverTheMachineHas() throws Exception {
    Sandbox sandbox = Sandboxes.create(Sandboxes.Mode.NONE, withoutBwrap(), home);

    assertThat(sandbox.kind()).isEqualTo("none");
    assertThat(sandbox.limitsEnforcedBy()).isEmpty();
    assertThat(sandbox.describe())
        .isEqualTo("none (kiln.worker.sandbox=none): builds are NOT isolated");
  }
}
