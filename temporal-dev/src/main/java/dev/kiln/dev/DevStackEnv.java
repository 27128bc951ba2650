package dev.kiln.dev;

import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code $KILN_HOME/dev-stack.env}: what another process needs to join the running stack — {@code
 * kiln-dev.jar worker} or {@code kiln-dev.jar api}, a test, a benchmark. Shell syntax, so {@code
 * set -a; . ~/.kiln/dev-stack.env; set +a} exports it; owner-only, since it names the database
 * password.
 */
final class DevStackEnv {

  static final String FILE_NAME = "dev-stack.env";

  private DevStackEnv() {}

  static Map<String, String> variables(
      String apiUrl, String temporalAddress, DataSourceSettings dataSource, Path tokenFile) {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("KILN_API_URL", apiUrl);
    vars.put("KILN_TEMPORAL_ADDRESS", temporalAddress);
    vars.put("KILN_INTERNAL_TOKEN_FILE", tokenFile.toString());
    vars.put("SPRING_DATASOURCE_URL", dataSource.url());
    if (dataSource.username() != null) {
      vars.put("SPRING_DATASOURCE_USERNAME", dataSource.username());
    }
    if (dataSource.password() != null) {
      vars.put("SPRING_DATASOURCE_PASSWORD", dataSource.password());
    }
    return vars;
  }

  static String render(Map<String, String> variables) {
    return variables.entrySet().stream()
            .map(e -> e.getKey() + "=" + shellQuote(e.getValue()))
            .collect(Collectors.joining("\n"))
        + "\n";
  }

  static void write(Path file, Map<String, String> variables) {
    OwnerOnlyFile.write(file, render(variables));
  }

  /**
   * The variables of a file {@link #write} wrote, unquoted; lines of another form are skipped.
   *
   * @throws UncheckedIOException naming the file when it cannot be read
   */
  static Map<String, String> read(Path file) {
    Map<String, String> vars = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int equals = line.indexOf('=');
        if (equals < 1) {
          continue;
        }
        String quoted = line.substring(equals + 1);
        String value =
            quoted.length() >= 2 && quoted.startsWith("'") && quoted.endsWith("'")
                ? quoted.substring(1, quoted.length() - 1).replace("'\\''", "'")
                : quoted;
        vars.put(line.substring(0, equals), value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return vars;
  }

  /** Single quotes keep {@code $}, spaces and backslashes literal; a quote itself is spliced. */
  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
