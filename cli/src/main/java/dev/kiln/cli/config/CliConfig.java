package dev.kiln.cli.config;

import dev.kiln.cli.CliFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Kiln is and who the caller is: {@code KILN_URL} and {@code KILN_TOKEN} from the
 * environment, else from the config file ({@code $XDG_CONFIG_HOME/kiln/config}, by default {@code
 * ~/.config/kiln/config}), else {@code http://localhost:8080} and no token (the dev stack trusts
 * requests from this machine).
 *
 * @param token empty when none is configured
 */
public record CliConfig(URI url, Optional<String> token) {

  public static final String URL = "KILN_URL";
  public static final String TOKEN = "KILN_TOKEN";
  public static final URI DEFAULT_URL = URI.create("http://localhost:8080");

  /**
   * The configuration this process runs with.
   *
   * @param env the process environment
   * @param home the user's home directory
   */
  public static CliConfig load(Map<String, String> env, Path home) {
    Path file = file(env, home);
    Map<String, String> fromFile = Files.isRegularFile(file) ? read(file) : Map.of();
    String url = firstNonBlank(env.get(URL), fromFile.get(URL));
    String token = firstNonBlank(env.get(TOKEN), fromFile.get(TOKEN));
    return new CliConfig(url == null ? DEFAULT_URL : url(url), Optional.ofNullable(token));
  }

  /** The config file: {@code $XDG_CONFIG_HOME/kiln/config}, else {@code ~/.config/kiln/config}. */
  public static Path file(Map<String, String> env, Path home) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = xdg == null || xdg.isBlank() ? home.resolve(".config") : Path.of(xdg);
    return base.resolve("kiln").resolve("config");
  }

  /**
   * {@code key=value} lines; blank lines and lines starting with {@code #} are skipped, spaces
   * around key and value dropped. Keys are {@code KILN_URL} and {@code KILN_TOKEN}, or {@code url}
   * and {@code token}.
   */
  static Map<String, String> parse(List<String> lines, Path file) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 1) {
        throw new CliFailure(file + ":" + (i + 1) + ": expected key=value, got \"" + line + "\"");
      }
      String key = line.substring(0, equals).strip();
      String value = line.substring(equals + 1).strip();
      switch (key) {
        case URL, "url" -> values.put(URL, value);
        case TOKEN, "token" -> values.put(TOKEN, value);
        default ->
            throw new CliFailure(
                file + ":" + (i + 1) + ": unknown key \"" + key + "\" (known: url, token)");
      }
    }
    return values;
  }

  private static Map<String, String> read(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file);
    } catch (IOException e) {
      throw new CliFailure("cannot read " + file + ": " + e.getMessage());
    }
  }

  static URI url(String raw) {
    String trimmed = raw.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new CliFailure(
            "KILN_URL: \"" + raw + "\" is not an http(s) URL such as http://localhost:8080");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CliFailure(
          "KILN_URL: \"" + raw + "\" is not an http(s) URL such as http://localhost:8080");
    }
  }

  private static String firstNonBlank(String first, String second) {
    if (first != null && !first.isBlank()) {
      return first.strip();
    }
    return second == null || second.isBlank() ? null : second.strip();
  }
}
