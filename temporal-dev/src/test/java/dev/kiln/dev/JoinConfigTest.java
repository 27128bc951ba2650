package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.dev.JoinConfig.Mode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinConfigTest {

  @TempDir Path tmp;

  private static Properties sys() {
    Properties p = new Properties();
    p.setProperty("user.home", "/home/dev");
    return p;
  }

  private static final Map<String, String> WORKER_ENV =
      Map.of(
          "KILN_HOME", "/srv/host-a",
          "KILN_TEMPORAL_ADDRESS", "127.0.0.1:7233",
          "KILN_API_URL", "http://127.0.0.1:8080",
          "KILN_INTERNAL_TOKEN", "t0ken");

  @Test
  void workerReadsTheStackFromTheEnvironmentAndPassesOtherArgumentsToSpring() {
    JoinConfig config =
        JoinConfig.load(
            Mode.WORKER,
            new String[] {"--kiln.worker.archs=ppc64le", "--kiln.worker.host=host-a"},
            WORKER_ENV,
            sys());

    assertThat(config.kilnHome()).isEqualTo(Path.of("/srv/host-a"));
    assertThat(config.temporalAddress()).isEqualTo("127.0.0.1:7233");
    assertThat(config.apiUrl()).contains(URI.create("http://127.0.0.1:8080"));
    assertThat(config.token().value()).isEqualTo("t0ken");
    assertThat(config.extraProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("kiln.worker.archs", "ppc64le", "kiln.worker.host", "host-a"));
  }

  @Test
  void workerWithoutItsOwnHomeIsRefusedNamingTheSetting() {
    Map<String, String> env = new java.util.HashMap<>(WORKER_ENV);
    env.remove("KILN_HOME");

    assertThatThrownBy(() -> JoinConfig.load(Mode.WORKER, new String[0], env, sys()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("KILN_HOME (or --kiln.home) is not set: kiln-dev.jar worker needs")
        .hasMessageNotContaining("\n");
  }

  @Test
  void workerWithoutTheApiUrlIsRefused() {
    Map<String, String> env = new java.util.HashMap<>(WORKER_ENV);
    env.remove("KILN_API_URL");

    assertThatThrownBy(() -> JoinConfig.load(Mode.WORKER, new String[0], env, sys()))
        .hasMessageStartingWith("KILN_API_URL (or --kiln.api.url) is not set");
  }

  @Test
  void tokenComesFromTheFileTheStackWrote() throws IOException {
    Path tokenFile = Files.writeString(tmp.resolve("worker.token"), "from-file");
    Map<String, String> env = new java.util.HashMap<>(WORKER_ENV);
    env.remove("KILN_INTERNAL_TOKEN");
    env.put("KILN_INTERNAL_TOKEN_FILE", tokenFile.toString());

    assertThat(JoinConfig.load(Mode.WORKER, new String[0], env, sys()).token().value())
        .isEqualTo("from-file");
  }

  @Test
  void missingTokenFileIsReportedWithItsPath() {
    Map<String, String> env = new java.util.HashMap<>(WORKER_ENV);
    env.remove("KILN_INTERNAL_TOKEN");
    env.put("KILN_INTERNAL_TOKEN_FILE", tmp.resolve("absent").toString());

    assertThatThrownBy(() -> JoinConfig.load(Mode.WORKER, new String[0], env, sys()))
        .hasMessageContaining("KILN_INTERNAL_TOKEN_FILE: cannot read " + tmp.resolve("absent"));
  }

  @Test
  void apiNeedsTheStacksDatabase() {
    Map<String, String> env =
        Map.of("KILN_TEMPORAL_ADDRESS", "127.0.0.1:7233", "KILN_INTERNAL_TOKEN", "t");

    assertThatThrownBy(() -> JoinConfig.load(Mode.API, new String[0], env, sys()))
        .hasMessageStartingWith(
            "SPRING_DATASOURCE_URL (or --spring.datasource.url) is not set: kiln-dev.jar api");
  }

  @Test
  void apiTakesDatabasePortAndDefaultHome() {
    JoinConfig config =
        JoinConfig.load(
            Mode.API,
            new String[] {"--server.port=9191"},
            Map.of(
                "KILN_TEMPORAL_ADDRESS", "127.0.0.1:7233",
                "KILN_INTERNAL_TOKEN", "t",
                "SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:5432/postgres",
                "SPRING_DATASOURCE_USERNAME", "postgres"),
            sys());

    assertThat(config.serverPort()).isEqualTo(9191);
    assertThat(config.kilnHome()).isEqualTo(Path.of("/home/dev/.kiln"));
    assertThat(config.dataSource().orElseThrow().url())
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
    assertThat(config.extraProperties()).isEmpty();
  }

  @Test
  void unknownModesAreNotParsed() {
    assertThat(Mode.parse("worker")).contains(Mode.WORKER);
    assertThat(Mode.parse("api")).contains(Mode.API);
    assertThat(Mode.parse("control")).isEmpty();
  }
}
