package dev.kiln.dev;

import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import dev.kiln.dev.DevStackConfig.Setting;
import dev.kiln.dev.DevStackConfig.Source;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Settings of {@code kiln-dev.jar worker} and {@code kiln-dev.jar api}: one more process joining a
 * stack that already runs. Read like {@link DevStackConfig} (argument, system property,
 * environment); every other {@code --name=value} argument goes to the Spring context unchanged, so
 * {@code --kiln.worker.archs=ppc64le} works as it does for a standalone worker.
 *
 * @param mode which process
 * @param kilnHome the worker's own mirrors and workspaces; the api's artifacts
 * @param temporalAddress the stack's Temporal frontend
 * @param token the worker → api token
 * @param apiUrl the api a worker reports to (worker only)
 * @param dataSource the stack's PostgreSQL (api only)
 * @param serverAddress the api's bind address (api only)
 * @param serverPort the api's port (api only)
 * @param extraProperties the remaining arguments, for the Spring context
 * @param stackHome the running stack's KILN_HOME, where the token file is, when the token came from
 *     a file: a worker hides it from its builds (PostgreSQL's data, dev-stack.env)
 */
record JoinConfig(
    Mode mode,
    Path kilnHome,
    String temporalAddress,
    WorkerToken token,
    Optional<URI> apiUrl,
    Optional<DataSourceSettings> dataSource,
    String serverAddress,
    int serverPort,
    Map<String, String> extraProperties,
    Optional<Path> stackHome) {

  /** The processes the launcher can start on their own. */
  enum Mode {
    WORKER,
    API;

    static Optional<Mode> parse(String name) {
      return switch (name) {
        case "worker" -> Optional.of(WORKER);
        case "api" -> Optional.of(API);
        default -> Optional.empty();
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final Setting API_URL = new Setting("kiln.api.url", "KILN_API_URL");
  static final Setting TOKEN = new Setting("kiln.internal.token", "KILN_INTERNAL_TOKEN");
  static final Setting TOKEN_FILE =
      new Setting("kiln.internal.token-file", "KILN_INTERNAL_TOKEN_FILE");

  /** The settings this class consumes; any other argument is passed to Spring. */
  private static final List<Setting> OWN =
      List.of(
          DevStackConfig.KILN_HOME,
          DevStackConfig.TEMPORAL_ADDRESS,
          DevStackConfig.SERVER_PORT,
          DevStackConfig.SERVER_ADDRESS,
          DevStackConfig.DATASOURCE_URL,
          DevStackConfig.DATASOURCE_USERNAME,
          DevStackConfig.DATASOURCE_PASSWORD,
          API_URL,
          TOKEN,
          TOKEN_FILE);

  /**
   * Reads the settings of {@code mode}.
   *
   * @throws IllegalArgumentException naming the first missing or malformed setting, in one line
   */
  static JoinConfig load(
      Mode mode, String[] args, Map<String, String> env, Properties systemProperties) {
    Map<String, String> parsed = DevStackConfig.parseArgs(args);
    Source source = new Source(parsed, env, systemProperties);
    String temporal =
        require(source, DevStackConfig.TEMPORAL_ADDRESS, mode, "the stack's Temporal");
    WorkerToken token = token(source, mode);
    Path home;
    Optional<URI> apiUrl = Optional.empty();
    Optional<DataSourceSettings> dataSource = Optional.empty();
    if (mode == Mode.WORKER) {
      // No default: ~/.kiln is the dev stack's own home, and two processes must not share
      // workspaces or the pid files that name the process groups a restart kills.
      home =
          DevStackConfig.expandHome(
              require(source, DevStackConfig.KILN_HOME, mode, "its own directory"),
              systemProperties);
      apiUrl = Optional.of(url(source, require(source, API_URL, mode, "the stack's api")));
    } else {
      home =
          source
              .get(DevStackConfig.KILN_HOME)
              .map(h -> DevStackConfig.expandHome(h, systemProperties))
              .orElse(Path.of(systemProperties.getProperty("user.home"), ".kiln"));
      dataSource =
          Optional.of(
              new DataSourceSettings(
                  require(source, DevStackConfig.DATASOURCE_URL, mode, "the stack's PostgreSQL"),
                  source.get(DevStackConfig.DATASOURCE_USERNAME).orElse(null),
                  source.get(DevStackConfig.DATASOURCE_PASSWORD).orElse(null)));
    }
    Map<String, String> extra = new LinkedHashMap<>(parsed);
    OWN.forEach(setting -> extra.remove(setting.property()));
    return new JoinConfig(
        mode,
        home,
        temporal,
        token,
        apiUrl,
        dataSource,
        source.get(DevStackConfig.SERVER_ADDRESS).orElse("127.0.0.1"),
        source.port(DevStackConfig.SERVER_PORT, DevStackConfig.DEFAULT_SERVER_PORT),
        Map.copyOf(extra),
        source.get(TOKEN).isPresent()
            ? Optional.empty()
            : source.get(TOKEN_FILE).map(f -> Path.of(f).toAbsolutePath().getParent()));
  }

  private static String require(Source source, Setting setting, Mode mode, String what) {
    return source
        .get(setting)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    setting.env()
                        + " (or --"
                        + setting.property()
                        + ") is not set: kiln-dev.jar "
                        + mode
                        + " needs "
                        + what
                        + " (see $KILN_HOME/dev-stack.env of the running stack)"));
  }

  private static WorkerToken token(Source source, Mode mode) {
    Optional<String> inline = source.get(TOKEN);
    if (inline.isPresent()) {
      return new WorkerToken(inline.get());
    }
    Path file =
        Path.of(
            source
                .get(TOKEN_FILE)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "Neither KILN_INTERNAL_TOKEN nor KILN_INTERNAL_TOKEN_FILE is set:"
                                + " kiln-dev.jar "
                                + mode
                                + " needs the stack's worker token ($KILN_HOME/worker.token)")));
    try {
      String value = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (value.isEmpty()) {
        throw new IllegalArgumentException(source.describe(TOKEN_FILE) + ": " + file + " is empty");
      }
      return new WorkerToken(value);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          source.describe(TOKEN_FILE) + ": cannot read " + file + " (" + e + ")");
    }
  }

  private static URI url(Source source, String raw) {
    try {
      URI uri = new URI(raw);
      if (uri.getScheme() != null
          && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below, with the setting's name
    }
    throw new IllegalArgumentException(
        source.describe(API_URL)
            + " must be an http(s) URL such as http://127.0.0.1:8080, not '"
            + raw
            + "'");
  }
}
