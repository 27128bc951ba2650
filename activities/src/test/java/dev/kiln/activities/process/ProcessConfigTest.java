package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessConfigTest {

  private static final Path DIR = Path.of("/tmp");

  @Test
  void defaultsFollowTheDesign() {
    ProcessConfig config = ProcessConfig.of("make", DIR, Map.of(), Duration.ofMinutes(20));

    assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxOutputBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(config.pidFile()).isNull();
  }

  @Test
  void withMethodsChangeOneThing() {
    ProcessConfig base = ProcessConfig.of("make", DIR, Map.of("A", "1"), Duration.ofMinutes(20));

    ProcessConfig changed =
        base.withGracePeriod(Duration.ofSeconds(3))
            .withPidFile(DIR.resolve("p"))
            .withMaxOutputBytes(10);

    assertThat(changed)
        .isEqualTo(
            new ProcessConfig(
                "make",
                DIR,
                Map.of("A", "1"),
                Duration.ofMinutes(20),
                Duration.ofSeconds(3),
                DIR.resolve("p"),
                10,
                ProcessConfig.DEFAULT_OUTPUT_WAIT_DELAY,
                Launcher.PLAIN));
  }

  @Test
  void environmentValuesStayOutOfToString() {
    ProcessConfig config =
        ProcessConfig.of("make", DIR, Map.of("NPM_TOKEN", "s3cr3t"), Duration.ofMinutes(1));

    assertThat(config.toString()).contains("NPM_TOKEN").doesNotContain("s3cr3t");
  }

  @Test
  void nonsenseIsRejectedWhenTheConfigIsBuilt() {
    Map<String, String> env = Map.of();
    assertThatThrownBy(() -> ProcessConfig.of(" ", DIR, env, Duration.ofMinutes(1)))
        .hasMessageContaining("command");
    assertThatThrownBy(() -> ProcessConfig.of("make", DIR, env, Duration.ZERO))
        .hasMessageContaining("timeout");
    assertThatThrownBy(
            () -> ProcessConfig.of("make", DIR, Map.of("A=B", "x"), Duration.ofMinutes(1)))
        .hasMessageContaining("A=B");
    assertThatThrownBy(
            () -> ProcessConfig.of("make", DIR, Map.of("A", "x\0y"), Duration.ofMinutes(1)))
        .hasMessageContaining("NUL");
    assertThatThrownBy(
            () -> ProcessConfig.of("make", DIR, env, Duration.ofMinutes(1)).withMaxOutputBytes(0))
        .hasMessageContaining("maxOutputBytes");
    assertThatThrownBy(
            () ->
                ProcessConfig.of("make", DIR, env, Duration.ofMinutes(1))
                    .withGracePeriod(Duration.ofSeconds(-1)))
        .hasMessageContaining("gracePeriod");
  }
}
