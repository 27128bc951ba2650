package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DevStackConfigTest {

  private static final String[] NO_ARGS = {};

  private static Properties sys(String... keyValues) {
    Properties p = new Properties();
    p.setProperty("user.home", "/home/dev");
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsWhenNothingIsSet() {
    DevStackConfig config = DevStackConfig.load(NO_ARGS, Map.of(), sys());

    assertThat(config.kilnHome()).isEqualTo(Path.of("/home/dev/.kiln"));
    assertThat(config.temporalAddress()).isEmpty();
    assertThat(config.temporalPort()).isEqualTo(7233);
    assertThat(config.temporalUiPort()).isEqualTo(8233);
    assertThat(config.serverPort()).isEqualTo(8080);
    assertThat(config.serverAddress()).isEqualTo("127.0.0.1");
    assertThat(config.postgresPort()).isZero();
    assertThat(config.dataSource()).isEmpty();
    assertThat(config.requireTemporalCli()).isFalse();
  }

  @Test
  void environmentVariablesOverrideDefaults() {
    DevStackConfig config =
        DevStackConfig.load(
            NO_ARGS,
            Map.of(
                "KILN_HOME", "/srv/kiln",
                "KILN_TEMPORAL_PORT", "17233",
                "KILN_TEMPORAL_UI_PORT", "18233",
                "SERVER_PORT", "9090",
                "KILN_POSTGRES_PORT", "15432",
                "KILN_TEMPORAL_ADDRESS", "temporal.example:7233",
                "KILN_TEMPORAL_UI_URL", "https://temporal.example"),
            sys());

    assertThat(config.kilnHome()).isEqualTo(Path.of("/srv/kiln"));
    assertThat(config.temporalPort()).isEqualTo(17233);
    assertThat(config.temporalUiPort()).isEqualTo(18233);
    assertThat(config.serverPort()).isEqualTo(9090);
    assertThat(config.postgresPort()).isEqualTo(15432);
    assertThat(config.temporalAddress()).contains("temporal.example:7233");
    assertThat(config.temporalUiUrl()).contains("https://temporal.example");
  }

  @Test
  void webUiPortFollowsTheTemporalPortUnlessSet() {
    assertThat(
            DevStackConfig.load(NO_ARGS, Map.of("KILN_TEMPORAL_PORT", "7300"), sys())
                .temporalUiPort())
        .isEqualTo(8300);
    assertThat(
            DevStackConfig.load(NO_ARGS, Map.of("KILN_TEMPORAL_PORT", "0"), sys()).temporalUiPort())
        .isZero();
  }

  @Test
  void systemPropertiesOverrideEnvironmentVariables() {
    DevStackConfig config =
        DevStackConfig.load(
            NO_ARGS,
            Map.of("KILN_HOME", "/from/env", "SERVER_PORT", "9090"),
            sys("kiln.home", "/from/property", "server.port", "9191"));

    assertThat(config.kilnHome()).isEqualTo(Path.of("/from/property"));
    assertThat(config.serverPort()).isEqualTo(9191);
  }

  @Test
  void argumentsOverrideSystemProperties() {
    DevStackConfig config =
        DevStackConfig.load(
            new String[] {"--server.port=9292", "--kiln.temporal.port=0"},
            Map.of("SERVER_PORT", "9090"),
            sys("server.port", "9191"));

    assertThat(config.serverPort()).isEqualTo(9292);
    assertThat(config.temporalPort()).isZero();
  }

  @Test
  void tildeInKilnHomeMeansTheUsersHome() {
    DevStackConfig config = DevStackConfig.load(NO_ARGS, Map.of("KILN_HOME", "~/kiln-a"), sys());

    assertThat(config.kilnHome()).isEqualTo(Path.of("/home/dev/kiln-a"));
  }

  @Test
  void datasourceSettingsMeanNoEmbeddedPostgres() {
    DevStackConfig config =
        DevStackConfig.load(
            NO_ARGS,
            Map.of(
                "SPRING_DATASOURCE_URL", "jdbc:postgresql://db:5432/kiln",
                "SPRING_DATASOURCE_USERNAME", "kiln",
                "SPRING_DATASOURCE_PASSWORD", "s3cret"),
            sys());

    assertThat(config.dataSource())
        .contains(
            new DevStackConfig.DataSourceSettings(
                "jdbc:postgresql://db:5432/kiln", "kiln", "s3cret"));
    assertThat(config.dataSource().orElseThrow().toString()).doesNotContain("s3cret");
  }

  @Test
  void usernameWithoutUrlIsNotADatasource() {
    DevStackConfig config =
        DevStackConfig.load(NO_ARGS, Map.of("SPRING_DATASOURCE_USERNAME", "kiln"), sys());

    assertThat(config.dataSource()).isEmpty();
  }

  @Test
  void requireTemporalCliIsReadAsABoolean() {
    assertThat(
            DevStackConfig.load(NO_ARGS, Map.of("KILN_REQUIRE_TEMPORAL_CLI", "true"), sys())
                .requireTemporalCli())
        .isTrue();
    assertThat(
            DevStackConfig.load(NO_ARGS, Map.of(), sys("kiln.require-temporal-cli", "yes"))
                .requireTemporalCli())
        .isTrue();
  }

  @Test
  void ciAlwaysRequiresTheTemporalCli() {
    DevStackConfig config =
        DevStackConfig.load(
            NO_ARGS, Map.of("CI", "true", "KILN_REQUIRE_TEMPORAL_CLI", "false"), sys());

    assertThat(config.requireTemporalCli()).isTrue();
  }

  @Test
  void malformedPortNamesTheEnvironmentVariable() {
    assertThatThrownBy(
            () -> DevStackConfig.load(NO_ARGS, Map.of("KILN_TEMPORAL_PORT", "seven"), sys()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KILN_TEMPORAL_PORT")
        .hasMessageContaining("'seven'");
  }

  @Test
  void outOfRangePortNamesTheSystemProperty() {
    assertThatThrownBy(() -> DevStackConfig.load(NO_ARGS, Map.of(), sys("server.port", "70000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dserver.port");
  }

  @Test
  void malformedBooleanIsRejected() {
    assertThatThrownBy(
            () -> DevStackConfig.load(NO_ARGS, Map.of("KILN_REQUIRE_TEMPORAL_CLI", "maybe"), sys()))
        .hasMessageContaining("KILN_REQUIRE_TEMPORAL_CLI must be true or false");
  }

  @Test
  void argumentsMustBeNameValuePairs() {
    assertThatThrownBy(() -> DevStackConfig.load(new String[] {"start"}, Map.of(), sys()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--name=value");
  }
}
