package dev.kiln.activities.fetch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which repository strings Kiln fetches, hides their credentials, and names their mirrors.
 *
 * <p>Git accepts far more than URLs: {@code ext::} runs an arbitrary command, {@code fd::} talks to
 * a file descriptor, and a bare path reads the worker's own disk. The string comes from an HTTP
 * caller and is fetched on a build host, so only a short allow-list passes. The api uses {@link
 * #validate} too, so that a bad URL is a 400 with the same reason instead of a failed run.
 */
public final class RepositoryUrls {

  /** How the repository is reached; {@code null} in a rejected {@link Validation}. */
  public enum Transport {
    HTTP,
    SSH,
    GIT,
    FILE
  }

  /**
   * The verdict on a repository string.
   *
   * @param transport how an accepted URL is fetched
   * @param reason why the string was rejected, fit for an API error {@code detail}; never contains
   *     credentials
   */
  public record Validation(Transport transport, String reason) {

    /** Whether the string may be fetched. */
    public boolean ok() {
      return reason == null;
    }

    static Validation accept(Transport transport) {
      return new Validation(transport, null);
    }

    static Validation reject(String reason) {
      return new Validation(null, reason);
    }
  }

  static final int MAX_LENGTH = 2048;

  private static final String ALLOWED = "use https, http, ssh, git or git@host:path";
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$");
  private static final Pattern HELPER = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)::");
  // Git's own rule: a colon before the first slash makes "host:path" scp-like, not a local path.
  private static final Pattern SCP = Pattern.compile("^(?:([^@/:]+)@)?([^@/:]+):(.*)$");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.~-]+|\\[[0-9A-Fa-f:.]+]");
  // An encoded control character would slip past the raw-string check once git decodes it.
  private static final Pattern ENCODED_CONTROL = Pattern.compile("%(?:[01][0-9A-Fa-f]|7[Ff])");
  private static final Pattern USERINFO_IN_TEXT =
      Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)([^/@\\s]+)@");
  private static final Set<String> NETWORK_SCHEMES = Set.of("https", "http", "ssh", "git");
  private static final int MAX_NAME_LENGTH = 60;

  private RepositoryUrls() {}

  /**
   * Checks a repository string against the allow-list.
   *
   * @param allowFile whether {@code file://} URLs are allowed (the single-machine dev stack)
   */
  public static Validation validate(String repo, boolean allowFile) {
    if (repo == null || repo.isBlank()) {
      return Validation.reject("repository URL is empty");
    }
    if (repo.length() > MAX_LENGTH) {
      return Validation.reject("repository URL is longer than " + MAX_LENGTH + " characters");
    }
    if (repo.chars().anyMatch(c -> c <= ' ' || c == 0x7f || Character.isWhitespace(c))) {
      return Validation.reject("repository URL contains whitespace or control characters");
    }
    if (ENCODED_CONTROL.matcher(repo).find()) {
      return Validation.reject("repository URL contains percent-encoded control characters");
    }
    if (repo.startsWith("-")) {
      return Validation.reject("repository URL must not start with '-'");
    }
    Matcher helper = HELPER.matcher(repo);
    if (helper.find()) {
      return Validation.reject(
          "transport \"" + helper.group(1) + "::\" is not allowed (" + ALLOWED + ")");
    }
    Matcher url = SCHEME.matcher(repo);
    if (url.matches()) {
      return validateUrl(url.group(1).toLowerCase(Locale.ROOT), url.group(2), allowFile);
    }
    Matcher scp = SCP.matcher(repo);
    if (scp.matches()) {
      return validateScp(scp.group(2), scp.group(3));
    }
    return Validation.reject(
        allowFile
            ? "local paths are not allowed; use a file:// URL"
            : "local paths are not allowed; use a URL such as https://host/owner/repo.git");
  }

  private static Validation validateUrl(String scheme, String rest, boolean allowFile) {
    if (scheme.equals("file")) {
      return validateFileUrl(rest, allowFile);
    }
    if (!NETWORK_SCHEMES.contains(scheme)) {
      return Validation.reject("scheme \"" + scheme + "\" is not allowed (" + ALLOWED + ")");
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
    String problem = checkHostPort(scheme, hostPort);
    if (problem != null) {
      return Validation.reject(problem);
    }
    if (path.isEmpty() || path.equals("/")) {
      return Validation.reject(scheme + " URL has no repository path");
    }
    return Validation.accept(
        switch (scheme) {
          case "ssh" -> Transport.SSH;
          case "git" -> Transport.GIT;
          default -> Transport.HTTP;
        });
  }

  private static String checkHostPort(String scheme, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    boolean hasPort = colon > hostPort.lastIndexOf(']');
    String host = hasPort ? hostPort.substring(0, colon) : hostPort;
    if (host.isEmpty()) {
      return scheme + " URL has no host";
    }
    if (host.startsWith("-") || !HOST.matcher(host).matches()) {
      return "host \"" + host + "\" is not a valid host name";
    }
    if (hasPort) {
      String port = hostPort.substring(colon + 1);
      if (!port.matches("[0-9]{1,5}")
          || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        return "port \"" + port + "\" is not a number between 1 and 65535";
      }
    }
    return null;
  }

  private static Validation validateFileUrl(String rest, boolean allowFile) {
    if (!allowFile) {
      return Validation.reject("file:// URLs are only allowed on the dev stack (" + ALLOWED + ")");
    }
    if (!rest.startsWith("/") && !rest.startsWith("localhost/")) {
      return Validation.reject("file:// URL must name an absolute path (file:///path/to/repo)");
    }
    return Validation.accept(Transport.FILE);
  }

  private static Validation validateScp(String host, String path) {
    if (host.startsWith("-") || !HOST.matcher(host).matches()) {
      return Validation.reject("host \"" + host + "\" is not a valid host name");
    }
    if (path.isEmpty()) {
      return Validation.reject("ssh URL has no repository path");
    }
    return Validation.accept(Transport.SSH);
  }

  /**
   * Hides credentials in any text that may quote a URL (git error messages, log lines). In http(s)
   * URLs the whole user part goes, because tokens are commonly passed as the user name; elsewhere
   * only a password goes and the user ({@code git@}) stays.
   */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = USERINFO_IN_TEXT.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      String userInfo = m.group(2);
      String replacement;
      if (scheme.startsWith("http")) {
        replacement = "***";
      } else {
        int colon = userInfo.indexOf(':');
        replacement = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":***";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + replacement + "@"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The URL without any secret, for places that need a working URL rather than a display string
   * (the workspace's {@code origin}, the mirror's identity): http(s) user parts and all passwords
   * are dropped; an ssh user stays, since the server needs it and it is not a secret.
   */
  public static String withoutCredentials(String url) {
    Matcher m = SCHEME.matcher(url);
    if (!m.matches()) {
      return url;
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    String rest = m.group(2);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    String userInfo = authority.substring(0, at);
    String user = scheme.startsWith("http") ? "" : userInfo.replaceFirst(":.*$", "") + "@";
    return m.group(1) + "://" + user + rest.substring(at + 1);
  }

  /**
   * A stable, filesystem-safe directory name for the mirror of a repository: readable host and
   * path, plus a hash of the credential-free URL so that distinct URLs never share a mirror and a
   * rotated token does not start a new one. Example: {@code github.com-acme-app-1f3a9c0d2b4e}.
   */
  public static String mirrorName(String url) {
    String identity = withoutCredentials(url);
    String readable = readablePart(identity).toLowerCase(Locale.ROOT);
    readable = readable.replaceAll("\\.git/?$", "").replaceAll("[^a-z0-9._-]+", "-");
    readable = readable.replaceAll("^[-.]+|[-.]+$", "");
    if (readable.length() > MAX_NAME_LENGTH) {
      readable = readable.substring(0, MAX_NAME_LENGTH).replaceAll("[-.]+$", "");
    }
    String hash = sha256(identity).substring(0, 12);
    return readable.isEmpty() ? "repo-" + hash : readable + "-" + hash;
  }

  private static String readablePart(String url) {
    Matcher m = SCHEME.matcher(url);
    if (m.matches()) {
      String rest = m.group(2);
      int slash = rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/');
      int at = rest.lastIndexOf('@', slash);
      return at >= 0 ? rest.substring(at + 1) : rest;
    }
    Matcher scp = SCP.matcher(url);
    return scp.matches() ? scp.group(2) + "/" + scp.group(3) : url;
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
