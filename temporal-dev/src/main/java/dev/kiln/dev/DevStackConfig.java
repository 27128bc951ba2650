package dev.kiln.dev;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The dev stack's settings. Each one is read from, in this order: a command-line argument {@code
 * --name=value}, the system property {@code name}, the environment variable {@code ENV}. The
 * property names match the ones Spring uses, so {@code --server.port=9090} means the same thing
 * here as it does for the api.
 *
 * @param kilnHome where the dev stack keeps its state ({@code KILN_HOME}, default {@code ~/.kiln})
 * @param temporalAddress an existing Temporal server ({@code host:port}); when set, none is started
 * @param temporalUiUrl the Web UI of that existing server, when known
 * @param temporalPort gRPC port of the dev server; 0 picks a free one
 * @param temporalUiPort Web UI port of the dev server; 0 picks a free one; by default the gRPC port
 *     + 1000 (8233)
 * @param serverPort the api's HTTP port; 0 picks a free one
 * @param serverAddress the interface the api listens on; loopback by default, because a dev api
 *     accepts {@code file://} repositories and runs their build commands for whoever can reach it
 * @param postgresPort the embedded PostgreSQL's port; 0 (the default) picks a free one
 * @param dataSource an existing PostgreSQL; when set, no embedded one is started
 * @param requireTemporalCli never fall back to the in-process test server
 */
public record DevStackConfig(
    Path kilnHome,
    Optional<String> temporalAddress,
    Optional<String> temporalUiUrl,
    int temporalPort,
    int temporalUiPort,
    int serverPort,
    String serverAddress,
    int postgresPort,
    Optional<DataSourceSettings> dataSource,
    boolean requireTemporalCli) {

  static final Setting KILN_HOME = new Setting("kiln.home", "KILN_HOME");
  static final Setting TEMPORAL_ADDRESS =
      new Setting("kiln.temporal.address", "KILN_TEMPORAL_ADDRESS");
  static final Setting TEMPORAL_UI_URL =
      new Setting("kiln.temporal.ui-url", "KILN_TEMPORAL_UI_URL");
  static final Setting TEMPORAL_PORT = new Setting("kiln.temporal.port", "KILN_TEMPORAL_PORT");
  static final Setting TEMPORAL_UI_PORT =
      new Setting("kiln.temporal.ui-port", "KILN_TEMPORAL_UI_PORT");
  static final Setting SERVER_PORT = new Setting("server.port", "SERVER_PORT");
  static final Setting SERVER_ADDRESS = new Setting("server.address", "SERVER_ADDRESS");
  static final Setting POSTGRES_PORT = new Setting("kiln.postgres.port", "KILN_POSTGRES_PORT");
  static final Setting DATASOURCE_URL =
      new Setting("spring.datasource.url", "SPRING_DATASOURCE_URL");
  static final Setting DATASOURCE_USERNAME =
      new Setting("spring.datasource.username", "SPRING_DATASOURCE_USERNAME");
  static final Setting DATASOURCE_PASSWORD =
      new Setting("spring.datasource.password", "SPRING_DATASOURCE_PASSWORD");
  static final Setting REQUIRE_TEMPORAL_CLI =
      new Setting("kiln.require-temporal-cli", "KILN_REQUIRE_TEMPORAL_CLI");

  static final int DEFAULT_TEMPORAL_PORT = 7233;
  static final int DEFAULT_SERVER_PORT = 8080;

  /** Connection settings of a PostgreSQL the user brings. */
  public record DataSourceSettings(String url, String username, String password) {
    @Override
    public String toString() {
      return "DataSourceSettings[url=" + url + ", username=" + username + ", password=***]";
    }
  }

  /** One setting: its property name and its environment variable. */
  record Setting(String property, String env) {}

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException with a message naming the setting when a value is malformed
   */
  public static DevStackConfig load(
      String[] args, Map<String, String> env, Properties systemProperties) {
    Source source = new Source(parseArgs(args), env, systemProperties);
    Optional<DataSourceSettings> dataSource =
        source
            .get(DATASOURCE_URL)
            .map(
                url ->
                    new DataSourceSettings(
                        url,
                        source.get(DATASOURCE_USERNAME).orElse(null),
                        source.get(DATASOURCE_PASSWORD).orElse(null)));
    int temporalPort = source.port(TEMPORAL_PORT, DEFAULT_TEMPORAL_PORT);
    // CI must prove the real server works, so a missing CLI fails there whatever else is set.
    boolean ci = isTrue(env.get("CI"));
    return new DevStackConfig(
        source
            .get(KILN_HOME)
            .map(home -> expandHome(home, systemProperties))
            .orElse(defaultHome(systemProperties)),
        source.get(TEMPORAL_ADDRESS),
        source.get(TEMPORAL_UI_URL),
        temporalPort,
        source.port(TEMPORAL_UI_PORT, defaultUiPort(temporalPort)),
        source.port(SERVER_PORT, DEFAULT_SERVER_PORT),
        source.get(SERVER_ADDRESS).orElse("127.0.0.1"),
        source.port(POSTGRES_PORT, 0),
        dataSource,
        ci || source.bool(REQUIRE_TEMPORAL_CLI, false));
  }

  /** The CLI's own rule, gRPC port + 1000, so moving the gRPC port moves the UI along with it. */
  private static int defaultUiPort(int temporalPort) {
    return temporalPort == 0 || temporalPort + 1000 > 65535 ? 0 : temporalPort + 1000;
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> parsed = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException(
            "Unexpected argument '" + arg + "': arguments have the form --name=value");
      }
      parsed.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return parsed;
  }

  private static Path defaultHome(Properties systemProperties) {
    return Path.of(systemProperties.getProperty("user.home"), ".kiln");
  }

  static Path expandHome(String path, Properties systemProperties) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Path.of(systemProperties.getProperty("user.home") + path.substring(1));
    }
    return Path.of(path).toAbsolutePath();
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
  }

  /** Where a setting's value comes from: argument, then system property, then environment. */
  record Source(Map<String, String> args, Map<String, String> env, Properties sys) {

    Optional<String> get(Setting setting) {
      String value = args.get(setting.property());
      if (value == null) {
        value = sys.getProperty(setting.property());
      }
      if (value == null) {
        value = env.get(setting.env());
      }
      return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    int port(Setting setting, int defaultPort) {
      Optional<String> raw = get(setting);
      if (raw.isEmpty()) {
        return defaultPort;
      }
      try {
        int port = Integer.parseInt(raw.get());
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below, with the setting's name
      }
      throw new IllegalArgumentException(
          describe(setting) + " must be a port number from 0 to 65535, not '" + raw.get() + "'");
    }

    boolean bool(Setting setting, boolean defaultValue) {
      Optional<String> raw = get(setting);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      return switch (raw.get().toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default ->
            throw new IllegalArgumentException(
                describe(setting) + " must be true or false, not '" + raw.get() + "'");
      };
    }

    String describe(Setting setting) {
      if (args.containsKey(setting.property())) {
        return "--" + setting.property();
      }
      if (sys.getProperty(setting.property()) != null) {
        return "-D" + setting.property();
      }
      return setting.env();
    }
  }
}
