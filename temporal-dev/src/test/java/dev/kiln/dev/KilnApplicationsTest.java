package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.springframework.util.ClassUtils;

class KilnApplicationsTest {

  private final KilnApplications.Settings settings =
      new KilnApplications.Settings(
          Path.of("/home/dev/.kiln"),
          "127.0.0.1:7233",
          Optional.of("http://localhost:8233"),
          new DataSourceSettings("jdbc:postgresql://localhost:5432/kiln", "postgres", ""),
          "127.0.0.1",
          8080,
          new WorkerToken("t0ken"));

  @Test
  void apiGetsTheDatabaseTemporalAndTheToken() {
    Map<String, String> api = KilnApplications.apiProperties(settings);

    assertThat(api)
        .containsEntry("server.port", "8080")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("spring.datasource.url", "jdbc:postgresql://localhost:5432/kiln")
        .containsEntry("spring.datasource.username", "postgres")
        .containsEntry("spring.datasource.password", "")
        .containsEntry("kiln.home", "/home/dev/.kiln")
        .containsEntry("kiln.internal.token", "t0ken")
        .containsEntry("kiln.temporal.address", "127.0.0.1:7233")
        .containsEntry("kiln.temporal.namespace", "default")
        .containsEntry("kiln.temporal.ui-url", "http://localhost:8233")
        .containsEntry("kiln.repos.allow-file", "true")
        .containsEntry("logging.config", "classpath:kiln-dev-logback.xml")
        .containsEntry("logging.register-shutdown-hook", "false");
  }

  @Test
  void workerGetsNoDatabaseAndTalksToTheApi() {
    Map<String, String> worker = KilnApplications.workerProperties(settings, 43210);

    assertThat(worker)
        .containsEntry("spring.main.web-application-type", "none")
        .containsEntry("kiln.api.url", "http://127.0.0.1:43210")
        .containsEntry("kiln.worker.roles", "control,build")
        .containsEntry("kiln.internal.token", "t0ken")
        .containsEntry("kiln.temporal.address", "127.0.0.1:7233")
        .containsEntry("kiln.repos.allow-file", "true")
        .doesNotContainKeys(
            "spring.datasource.url", "spring.datasource.username", "spring.datasource.password");
    assertThat(worker.get("spring.autoconfigure.exclude"))
        .contains("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
        .contains("org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");
  }

  @Test
  void joiningWorkerBuildsOnlyAndLetsArgumentsOverride() {
    JoinConfig config =
        JoinConfig.load(
            JoinConfig.Mode.WORKER,
            new String[] {"--kiln.worker.archs=ppc64le"},
            Map.of(
                "KILN_HOME", "/srv/host-a",
                "KILN_TEMPORAL_ADDRESS", "127.0.0.1:7233",
                "KILN_API_URL", "http://127.0.0.1:43210",
                "KILN_INTERNAL_TOKEN", "t0ken"),
            new java.util.Properties());

    Map<String, String> worker = KilnApplications.joiningWorkerProperties(config);

    assertThat(worker)
        .containsEntry("kiln.worker.roles", "build")
        .containsEntry("kiln.worker.archs", "ppc64le")
        .containsEntry("kiln.home", "/srv/host-a")
        .containsEntry("kiln.api.url", "http://127.0.0.1:43210")
        .containsEntry("kiln.internal.token", "t0ken")
        .doesNotContainKeys("spring.datasource.url", "logging.register-shutdown-hook");
  }

  @Test
  void workersBuildInTheSandboxWhenTheyCanAndAJoiningOneHidesTheStacksHome(@TempDir Path stack)
      throws Exception {
    Path tokenFile = Files.writeString(stack.resolve("worker.token"), "t0ken\n");
    JoinConfig fromFile =
        JoinConfig.load(
            JoinConfig.Mode.WORKER,
            new String[0],
            Map.of(
                "KILN_HOME", "/srv/host-a",
                "KILN_TEMPORAL_ADDRESS", "127.0.0.1:7233",
                "KILN_API_URL", "http://127.0.0.1:43210",
                "KILN_INTERNAL_TOKEN_FILE", tokenFile.toString()),
            new java.util.Properties());

    assertThat(KilnApplications.WORKER_DEFAULTS).containsEntry("kiln.worker.sandbox", "auto");
    assertThat(KilnApplications.joiningWorkerDefaults(fromFile))
        .containsEntry("kiln.worker.sandbox", "auto")
        .containsEntry("kiln.worker.sandbox-hide", stack.toString());
  }

  @Test
  void excludedAutoConfigurationsExistInThisSpringBoot() {
    // Spring Boot rejects excluding a class that is present but no auto-configuration, and a
    // renamed class would silently stop being excluded: pin the names to the jars we ship.
    assertThat(KilnApplications.WORKER_EXCLUDED_AUTO_CONFIGURATION)
        .allMatch(name -> ClassUtils.isPresent(name, getClass().getClassLoader()), "present");
  }

  @Test
  void eachContextReadsTheConfigurationOfItsOwnModule() {
    assertThat(KilnApplications.ownConfigLocation(Logger.class))
        .hasValueSatisfying(
            location ->
                assertThat(location)
                    .startsWith("optional:jar:file:")
                    .contains("slf4j-api")
                    .endsWith(".jar!/"));
    assertThat(KilnApplications.ownConfigLocation(KilnApplicationsTest.class))
        .hasValueSatisfying(
            location -> assertThat(location).startsWith("optional:file:").endsWith("/"));
  }

  @Test
  void loggingConfigurationIsOnTheClasspath() {
    assertThat(getClass().getResource("/kiln-dev-logback.xml")).isNotNull();
  }
}
