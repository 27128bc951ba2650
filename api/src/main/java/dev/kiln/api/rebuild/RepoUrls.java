package dev.kiln.api.rebuild;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which repository URLs Kiln fetches. The URL ends up in git's hands on a build host, so
 * anything git would treat as a command or a local path is refused: remote helpers such as {@code
 * ext::} run arbitrary commands, {@code fd::} reads file descriptors, a plain path reads the host's
 * disk, and a leading {@code -} is an option.
 */
public final class RepoUrls {

  static final int MAX_LENGTH = 2048;

  private static final Set<String> NETWORK_SCHEMES =
      Set.of("https", "http", "ssh", "git", "git+ssh", "ssh+git");

  /** git's {@code <transport>::<address>} remote helper syntax. */
  private static final Pattern HELPER = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9+.\\-]*)::");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*)://");

  /**
   * scp-like {@code [user@]host:path}: git takes a string for this form when a colon comes before
   * any slash.
   */
  private static final Pattern SCP_LIKE =
      Pattern.compile(
          "^(?:[A-Za-z0-9._~\\-]+@)?([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+]):([^/].*|/.+)$");

  private RepoUrls() {}

  /**
   * @return why {@code repo} is refused, as a problem detail, or empty when it is acceptable
   */
  public static Optional<String> problem(String repo, boolean allowFile) {
    if (repo.length() > MAX_LENGTH) {
      return Optional.of("repo: longer than " + MAX_LENGTH + " characters");
    }
    if (repo.startsWith("-")) {
      return Optional.of("repo: must not start with \"-\"");
    }
    Matcher helper = HELPER.matcher(repo);
    if (helper.find()) {
      return Optional.of("repo: scheme \"" + helper.group(1) + "::\" is not allowed");
    }
    if (repo.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return Optional.of("repo: must not contain whitespace or control characters");
    }
    Matcher scheme = SCHEME.matcher(repo);
    if (scheme.find()) {
      return urlProblem(repo, scheme.group(1).toLowerCase(Locale.ROOT), allowFile);
    }
    Matcher scp = SCP_LIKE.matcher(repo);
    if (scp.matches() && !repo.substring(0, repo.indexOf(':')).contains("/")) {
      return Optional.empty();
    }
    return Optional.of(
        "repo: \""
            + repo
            + "\" is not a git URL; use https://, http://, ssh://, git://"
            + (allowFile ? ", file://" : "")
            + " or user@host:path");
  }

  private static Optional<String> urlProblem(String repo, String scheme, boolean allowFile) {
    if (scheme.equals("file")) {
      if (!allowFile) {
        return Optional.of("repo: scheme \"file://\" is not allowed");
      }
      String path = repo.substring("file://".length());
      return path.startsWith("/") && path.length() > 1
          ? Optional.empty()
          : Optional.of(
              "repo: a file:// URL needs an absolute path, as in file:///srv/git/app.git");
    }
    if (!NETWORK_SCHEMES.contains(scheme)) {
      return Optional.of(
          "repo: scheme \"" + scheme + "://\" is not allowed; use https, http, ssh or git");
    }
    URI uri;
    try {
      uri = new URI(repo);
    } catch (URISyntaxException e) {
      return Optional.of("repo: not a valid URL: " + e.getReason());
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("repo: URL has no host");
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return Optional.of("repo: URL has no repository path");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      // it would be stored in the ledger and shown in run views and the Temporal UI
      return Optional.of("repo: must not contain credentials (user:password@)");
    }
    return Optional.empty();
  }
}
