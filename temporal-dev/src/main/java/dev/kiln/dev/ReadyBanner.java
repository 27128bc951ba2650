package dev.kiln.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines printed once everything runs: a {@code Kiln is up} line (scripts wait for it), the
 * URLs, and a {@code curl} that starts a build, ready to paste.
 */
final class ReadyBanner {

  /** Its own logger, printed without timestamps (see kiln-dev-logback.xml). */
  private static final Logger banner = LoggerFactory.getLogger("kiln.banner");

  static final String UP = "Kiln is up";

  private static final String PLACEHOLDER_REPO = "file:///path/to/repo";

  /**
   * @param apiUrl base URL of the api
   * @param temporal the Temporal server in use
   * @param postgres where the data goes, for one line
   * @param kilnHome the state directory
   * @param workerTokenFile the worker token, for an extra worker
   * @param example the repository the curl line rebuilds
   * @param sandbox where the worker runs builds: the sandbox and its limits, or none and why
   */
  record Facts(
      String apiUrl,
      TemporalService temporal,
      String postgres,
      Path kilnHome,
      Path workerTokenFile,
      ExampleRepository example,
      String sandbox) {}

  /** A repository and ref for the curl line. */
  record ExampleRepository(String repo, String ref) {

    /**
     * The repository the dev stack was started from, if that is a git work tree: the most likely
     * thing a developer wants to build first.
     */
    static ExampleRepository detect(Path workingDirectory) {
      Path dir = workingDirectory.toAbsolutePath().normalize();
      String path = dir.toString();
      boolean quotable = path.chars().noneMatch(c -> c == '\'' || c == '"' || c == '\\');
      if (!Files.exists(dir.resolve(".git")) || !quotable) {
        return new ExampleRepository(PLACEHOLDER_REPO, "main");
      }
      return new ExampleRepository("file://" + path, currentBranch(dir).orElse("main"));
    }

    private static Optional<String> currentBranch(Path workTree) {
      Path head = workTree.resolve(".git").resolve("HEAD");
      try {
        String ref = Files.readString(head, StandardCharsets.UTF_8).trim();
        String prefix = "ref: refs/heads/";
        return Optional.of(ref)
            .filter(r -> r.startsWith(prefix))
            .map(r -> r.substring(prefix.length()))
            .filter(branch -> branch.chars().noneMatch(c -> c == '\'' || c == '"'));
      } catch (IOException e) {
        return Optional.empty(); // a worktree's .git is a file; "main" will do
      }
    }
  }

  private ReadyBanner() {}

  static void print(Facts facts, long startupMillis) {
    lines(facts, startupMillis).forEach(banner::info);
  }

  static List<String> lines(Facts facts, long startupMillis) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add(UP + String.format(" (started in %.1f s)", startupMillis / 1000.0));
    lines.add("  API:             " + facts.apiUrl());
    lines.add("  Swagger UI:      " + facts.apiUrl() + "/swagger-ui.html");
    lines.add("  Temporal Web UI: " + facts.temporal().uiUrl().orElse("none (see Temporal below)"));
    lines.add("");
    lines.add("  Temporal:        " + facts.temporal().description());
    lines.add("  PostgreSQL:      " + facts.postgres());
    lines.add("  KILN_HOME:       " + facts.kilnHome());
    lines.add("  Build sandbox:   " + facts.sandbox());
    lines.add("  Worker token:    " + facts.workerTokenFile() + " (for an extra worker)");
    lines.add(
        "  API tokens:      none needed from this machine; for anyone else:"
            + " java -jar kiln-dev.jar token create --scopes read,trigger");
    lines.add(
        "  Join the stack:  "
            + facts.kilnHome().resolve(DevStackEnv.FILE_NAME)
            + " (kiln-dev.jar worker | api, see docs/operations.md)");
    lines.add("");
    lines.add("  Rebuild a repository:");
    lines.add("    " + curl(facts.apiUrl(), facts.example()));
    lines.add("");
    lines.add("  Ctrl-C stops everything.");
    return lines;
  }

  static String curl(String apiUrl, ExampleRepository example) {
    String body = "{\"repo\": \"" + example.repo() + "\", \"ref\": \"" + example.ref() + "\"}";
    return "curl -sS -X POST "
        + apiUrl
        + "/rebuild -H 'Content-Type: application/json' -d '"
        + body
        + "'";
  }
}
