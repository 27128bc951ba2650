package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.activities.process.sandbox.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** How a worker's configuration becomes its build sandbox, and why it refuses to start. */
class WorkerSandboxTest {

  @TempDir Path home;

  @Test
  void aBuildWorkerWithoutBwrapRefusesToStartNamingWhatIsMissing() {
    Map<String, String> values = settings();

    assertThatThrownBy(
            () ->
                BuildHostConfiguration.sandbox(
                    bind(values, WorkerProperties.class, "kiln"),
                    bind(values, SandboxProperties.class, "kiln.worker"),
                    Map.of("PATH", home.resolve("empty-bin").toString()),
                    8L << 30))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)")
        .hasMessageContaining("set kiln.worker.sandbox=none");
  }

  @Test
  void sandboxNoneIsAcceptedWithoutBwrapAndRunViewsSayNone() {
    Map<String, String> values = settings();
    values.put("kiln.worker.sandbox", "none");

    Sandbox sandbox =
        BuildHostConfiguration.sandbox(
            bind(values, WorkerProperties.class, "kiln"),
            bind(values, SandboxProperties.class, "kiln.worker"),
            Map.of("PATH", home.resolve("empty-bin").toString()),
            8L << 30);

    assertThat(sandbox.kind()).isEqualTo("none");
  }

  @Test
  void aControlOnlyWorkerRunsNoBuildsAndNeedsNoSandbox() {
    Map<String, String> values = settings();
    values.put("kiln.worker.roles", "control");

    Sandbox sandbox =
        BuildHostConfiguration.sandbox(
            bind(values, WorkerProperties.class, "kiln"),
            bind(values, SandboxProperties.class, "kiln.worker"),
            Map.of(),
            8L << 30);

    assertThat(sandbox.kind()).isEqualTo("none");
  }

  @Test
  void limitsDefaultToTheMachineSharedByTheSlotsAndAreConfigurable() {
    SandboxProperties defaults = bind(settings(), SandboxProperties.class, "kiln.worker");
    Map<String, String> values = settings();
    values.put("kiln.worker.limits.memory", "6g");
    values.put("kiln.worker.limits.cpus", "1.5");
    values.put("kiln.worker.limits.pids", "1024");
    values.put("kiln.worker.limits.disk", "20GiB");
    values.put("kiln.worker.limits.timeout", "2h");
    SandboxProperties configured = bind(values, SandboxProperties.class, "kiln.worker");

    assertThat(defaults.mode()).isEqualTo(Sandboxes.Mode.BWRAP);
    assertThat(defaults.maxima(2, 8, 20L << 30))
        .isEqualTo(new ResourceLimits(8L << 30, 8, 4096, 50L << 30, Duration.ofHours(24)));
    assertThat(defaults.maxima(8, 8, 4L << 30).memoryBytes())
        .as("never below 1 GiB")
        .isEqualTo(ByteSizes.GIB);
    assertThat(configured.maxima(2, 8, 20L << 30))
        .isEqualTo(new ResourceLimits(6L << 30, 1.5, 1024, 20L << 30, Duration.ofHours(2)));
  }

  @Test
  void aLocalRunGetsTheSandboxProfileOfAWorkerWithNothingConfigured() {
    SandboxProperties defaults = bind(settings(), SandboxProperties.class, "kiln.worker");
    WorkerProperties worker = bind(settings(), WorkerProperties.class, "kiln");

    assertThat(SandboxDefaults.maxima(1))
        .isEqualTo(
            defaults.maxima(
                1, Runtime.getRuntime().availableProcessors(), SandboxDefaults.physicalMemory()));
    assertThat(SandboxDefaults.mode(SandboxDefaults.SANDBOX)).isEqualTo(defaults.mode());
    assertThat(SandboxDefaults.enforcement(SandboxDefaults.SANDBOX_LIMITS))
        .isEqualTo(defaults.enforcement());
    assertThat(SandboxDefaults.gracePeriod()).isEqualTo(worker.worker().gracePeriod());
  }

  @Test
  void aMistypedSettingIsNamed() {
    Map<String, String> values = settings();
    values.put("kiln.worker.sandbox", "firejail");
    values.put("kiln.worker.limits.disk", "lots");
    SandboxProperties properties = bind(values, SandboxProperties.class, "kiln.worker");

    assertThatThrownBy(properties::mode)
        .hasMessage("kiln.worker.sandbox: \"firejail\" is not one of bwrap, none, auto");
    assertThatThrownBy(() -> properties.maxima(1, 2, 8L << 30))
        .hasMessage(
            "kiln.worker.limits.disk: \"lots\" is not a size (use 512m, 4g, 1.5g (binary units))");
  }

  private Map<String, String> settings() {
    Map<String, String> values = new HashMap<>();
    values.put("kiln.internal.token", "t");
    values.put("kiln.home", home.toString());
    return values;
  }

  private static <T> T bind(Map<String, String> values, Class<T> type, String prefix) {
    return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(prefix, type);
  }
}
