package dev.kiln.dev;

import dev.kiln.api.KilnApiApplication;
import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import dev.kiln.worker.KilnWorkerApplication;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;

/**
 * Starts the api and the worker as two Spring contexts in this JVM. Both modules' jars are on one
 * classpath here, which a standalone api or worker never sees; the properties below undo what that
 * would change.
 */
final class KilnApplications {

  /** One console format for the launcher and both contexts. */
  static final String LOGGING_CONFIG = "classpath:kiln-dev-logback.xml";

  /**
   * The api's jars bring JDBC and Flyway onto the classpath; the worker holds no database
   * credentials (docs/architecture.md) and must not try to configure a DataSource.
   */
  static final List<String> WORKER_EXCLUDED_AUTO_CONFIGURATION =
      List.of(
          "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.JndiDataSourceAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
          "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
          "org.springframework.boot.flyway.autoconfigure.FlywayEndpointAutoConfiguration");

  /**
   * The dev stack's own defaults for the api: lowest in precedence, so an environment variable
   * ({@code KILN_AUTH_TRUST_LOOPBACK=false}) or an argument overrides them. On the developer's own
   * machine, requests from it need no token (README: "the dev stack stays two commands"); anything
   * else does.
   */
  static final Map<String, Object> API_DEFAULTS = Map.of("kiln.auth.trust-loopback", "true");

  /** What the two contexts are told about the rest of the stack. */
  record Settings(
      Path kilnHome,
      String temporalAddress,
      Optional<String> temporalUiUrl,
      DataSourceSettings dataSource,
      String serverAddress,
      int serverPort,
      WorkerToken token) {}

  private KilnApplications() {}

  /**
   * Sets up Spring Boot's logging for the whole JVM before any context starts. Each context
   * otherwise sets it up as it starts and, until it is done, drops every log line of every thread:
   * the lines Temporal's and PostgreSQL's start log while the api starts beside them. Once set up,
   * the contexts leave it as it is.
   */
  static void initializeLogging() {
    LoggingSystem logging = LoggingSystem.get(KilnApplications.class.getClassLoader());
    logging.beforeInitialize();
    logging.initialize(
        new LoggingInitializationContext(new StandardEnvironment()), LOGGING_CONFIG, null);
  }

  static ConfigurableApplicationContext startApi(Settings settings) {
    return new SpringApplicationBuilder(KilnApiApplication.class)
        .properties(API_DEFAULTS)
        .registerShutdownHook(false)
        .run(asArgs(apiProperties(settings)));
  }

  static ConfigurableApplicationContext startWorker(Settings settings, int apiPort) {
    return run(KilnWorkerApplication.class, workerProperties(settings, apiPort), WORKER_DEFAULTS);
  }

  /**
   * Below anything the user sets ({@code KILN_WORKER_SANDBOX=bwrap} makes a missing sandbox fatal):
   * on a developer's machine builds run in the sandbox when it can be set up, and without one,
   * saying why, when it cannot.
   */
  static final Map<String, String> WORKER_DEFAULTS = Map.of("kiln.worker.sandbox", "auto");

  /** A process of its own ({@code kiln-dev.jar worker|api}), closed by Spring's shutdown hook. */
  static ConfigurableApplicationContext startJoining(JoinConfig config) {
    return switch (config.mode()) {
      case WORKER ->
          runStandalone(
              KilnWorkerApplication.class,
              joiningWorkerProperties(config),
              joiningWorkerDefaults(config));
      case API ->
          runStandalone(KilnApiApplication.class, joiningApiProperties(config), API_DEFAULTS);
    };
  }

  /** The port the api really listens on, which differs from the setting when that was 0. */
  static int port(ConfigurableApplicationContext api) {
    Integer port = api.getEnvironment().getProperty("local.server.port", Integer.class);
    if (port == null) {
      throw new IllegalStateException("The api context started without a web server");
    }
    return port;
  }

  static Map<String, String> apiProperties(Settings settings) {
    Map<String, String> p =
        common(
            "kiln-api",
            KilnApiApplication.class,
            settings.kilnHome(),
            settings.token(),
            settings.temporalAddress());
    p.put("server.address", settings.serverAddress());
    p.put("server.port", Integer.toString(settings.serverPort()));
    putDataSource(p, settings.dataSource());
    settings.temporalUiUrl().ifPresent(url -> p.put("kiln.temporal.ui-url", url));
    SecretsKeyFile.existing(settings.kilnHome(), System.getenv())
        .ifPresent(file -> p.put("kiln.secrets.key-file", file.toString()));
    return p;
  }

  static Map<String, String> workerProperties(Settings settings, int apiPort) {
    Map<String, String> p =
        worker(
            settings.kilnHome(),
            settings.token(),
            settings.temporalAddress(),
            "http://127.0.0.1:" + apiPort);
    p.put("kiln.worker.roles", "control,build");
    // The api shares this JVM: a drained worker stays up, idle, and SIGTERM stops the whole stack.
    p.put("kiln.worker.drain-exits", "false");
    return p;
  }

  /**
   * {@code kiln-dev.jar worker}: a build worker only. The stack's own worker runs the workflows; a
   * second control role would add nothing but another poller.
   */
  static Map<String, String> joiningWorkerProperties(JoinConfig config) {
    Map<String, String> p =
        worker(
            config.kilnHome(),
            config.token(),
            config.temporalAddress(),
            config.apiUrl().orElseThrow().toString());
    p.put("kiln.worker.roles", "build");
    // a standalone process: Spring's hook closes the context (and with it the pollers) on SIGTERM
    p.remove("logging.register-shutdown-hook");
    p.putAll(config.extraProperties());
    return p;
  }

  /**
   * The stack's KILN_HOME holds its PostgreSQL data and dev-stack.env (the database password): a
   * joining worker's builds must not see it, wherever it is.
   */
  static Map<String, String> joiningWorkerDefaults(JoinConfig config) {
    Map<String, String> defaults = new LinkedHashMap<>(WORKER_DEFAULTS);
    config.stackHome().ifPresent(home -> defaults.put("kiln.worker.sandbox-hide", home.toString()));
    return defaults;
  }

  /** {@code kiln-dev.jar api}: an api against the stack's Temporal and PostgreSQL. */
  static Map<String, String> joiningApiProperties(JoinConfig config) {
    Map<String, String> p =
        common(
            "kiln-api",
            KilnApiApplication.class,
            config.kilnHome(),
            config.token(),
            config.temporalAddress());
    p.put("server.address", config.serverAddress());
    p.put("server.port", Integer.toString(config.serverPort()));
    putDataSource(p, config.dataSource().orElseThrow());
    SecretsKeyFile.existing(config.kilnHome(), System.getenv())
        .ifPresent(file -> p.put("kiln.secrets.key-file", file.toString()));
    p.remove("logging.register-shutdown-hook");
    p.putAll(config.extraProperties());
    return p;
  }

  private static void putDataSource(Map<String, String> p, DataSourceSettings dataSource) {
    p.put("spring.datasource.url", dataSource.url());
    if (dataSource.username() != null) {
      p.put("spring.datasource.username", dataSource.username());
    }
    if (dataSource.password() != null) {
      p.put("spring.datasource.password", dataSource.password());
    }
  }

  private static Map<String, String> worker(
      Path home, WorkerToken token, String temporalAddress, String apiUrl) {
    Map<String, String> p =
        common("kiln-worker", KilnWorkerApplication.class, home, token, temporalAddress);
    // Tomcat is on this classpath because of the api.
    p.put("spring.main.web-application-type", "none");
    p.put("spring.autoconfigure.exclude", String.join(",", WORKER_EXCLUDED_AUTO_CONFIGURATION));
    p.put("kiln.api.url", apiUrl);
    return p;
  }

  private static Map<String, String> common(
      String name, Class<?> app, Path home, WorkerToken token, String temporalAddress) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("spring.application.name", name);
    // Both jars have an application.properties/yml at their root and the classpath would only
    // ever show the first; point each context at its own module's files.
    ownConfigLocation(app).ifPresent(location -> p.put("spring.config.location", location));
    p.put("logging.config", LOGGING_CONFIG);
    // The dev stack's single shutdown hook closes the contexts in order; Spring's own hooks would
    // close them (and stop logging) concurrently.
    p.put("logging.register-shutdown-hook", "false");
    p.put("spring.main.banner-mode", "off");
    p.put("spring.main.log-startup-info", "false");
    p.put("kiln.home", home.toString());
    p.put("kiln.internal.token", token.value());
    p.put("kiln.temporal.address", temporalAddress);
    p.put("kiln.temporal.namespace", TemporalService.NAMESPACE);
    // file:// repositories: fine on a developer's own machine, where api and worker share a disk;
    // a shared api or build host must not read local paths.
    p.put("kiln.repos.allow-file", "true");
    return p;
  }

  /**
   * The root of the jar or directory {@code app} was loaded from, as a Spring config location, such
   * as {@code optional:jar:nested:/…/kiln-dev.jar/!BOOT-INF/lib/kiln-api.jar!/}.
   */
  static Optional<String> ownConfigLocation(Class<?> app) {
    CodeSource source = app.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    URL url = source.getLocation();
    String location = url.toString();
    if (location.endsWith(".jar")) {
      location = "jar:" + location + "!/";
    } else if (!location.endsWith("/")) {
      location = location + "/";
    }
    return Optional.of("optional:" + location);
  }

  private static ConfigurableApplicationContext run(Class<?> app, Map<String, String> properties) {
    return run(app, properties, Map.of());
  }

  /** {@code defaults} rank below everything else, the user's environment included. */
  private static ConfigurableApplicationContext run(
      Class<?> app, Map<String, String> properties, Map<String, String> defaults) {
    return new SpringApplicationBuilder(app)
        .properties(new LinkedHashMap<String, Object>(defaults))
        .registerShutdownHook(false)
        .run(asArgs(properties));
  }

  private static ConfigurableApplicationContext runStandalone(
      Class<?> app, Map<String, String> properties, Map<String, ?> defaults) {
    return new SpringApplicationBuilder(app)
        .properties(new LinkedHashMap<String, Object>(defaults))
        .run(asArgs(properties));
  }

  /**
   * As command-line arguments they outrank the module's own application.yml, which may well name
   * another port or database for standalone use.
   */
  private static String[] asArgs(Map<String, String> properties) {
    return properties.entrySet().stream()
        .map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toArray(String[]::new);
  }
}
