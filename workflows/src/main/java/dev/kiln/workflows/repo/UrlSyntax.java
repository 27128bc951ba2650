package dev.kiln.workflows.repo;

import dev.kiln.workflows.repo.RepositoryRefusedException.Subject;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The written form of a repository URL, judged without any lookup. Git accepts far more than URLs:
 * {@code ext::} runs a command, {@code fd::} talks to a file descriptor, a bare path reads the
 * worker's disk and a leading {@code -} is an option. The string comes from an API caller and is
 * fetched on a build host, so only https and http (and {@code file://} on the dev stack) pass.
 */
final class UrlSyntax {

  static final int MAX_LENGTH = 2048;
  private static final int MAX_HOST_LENGTH = 253;

  static final String USE_HTTPS = "use the repository's https:// URL";
  static final String CREDENTIALS_HINT =
      "give the build workers repository credentials for the host instead"
          + " (kiln.repos.credentials, docs/operations.md)";

  /** git's {@code <transport>::<address>} remote helper syntax. */
  private static final Pattern HELPER = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9+.\\-]*)::");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*)://(.*)$");

  /** git's own rule: a colon before the first slash makes {@code [user@]host:path} scp-like. */
  private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/:]+@)?([^@/:]+):(.*)$");

  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?\\.?");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  /** RFC 3986 path characters: unreserved, sub-delims, ":", "@", "/" and percent escapes. */
  private static final Pattern PATH_CHARS = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");

  private static final Pattern ESCAPE = Pattern.compile("%(..)?");

  private UrlSyntax() {}

  static RepositoryUrl parse(String repo, boolean allowFile) throws RepositoryRefusedException {
    if (repo == null || repo.isBlank()) {
      throw refused("must not be empty");
    }
    if (repo.length() > MAX_LENGTH) {
      throw refused("longer than " + MAX_LENGTH + " characters");
    }
    Matcher helper = HELPER.matcher(repo);
    if (helper.find()) {
      throw refused("transport \"" + helper.group(1) + "::\" is not allowed; " + USE_HTTPS);
    }
    if (repo.codePoints()
        .anyMatch(c -> c <= ' ' || Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw refused("must not contain whitespace or control characters");
    }
    if (repo.startsWith("-")) {
      throw refused("must not start with \"-\"");
    }
    Matcher url = SCHEME.matcher(repo);
    if (url.matches()) {
      String scheme = url.group(1).toLowerCase(Locale.ROOT);
      return scheme.equals("file")
          ? fileUrl(url.group(2), allowFile)
          : networkUrl(scheme, url.group(2));
    }
    Matcher scp = SCP_LIKE.matcher(repo);
    if (scp.matches()) {
      throw refused(
          "ssh addresses such as host:path are not supported (Kiln's workers fetch over https); "
              + USE_HTTPS);
    }
    throw refused(
        allowFile
            ? "local paths are not allowed; use a file:// URL"
            : "local paths are not allowed; use a URL such as https://host/owner/repo.git");
  }

  private static RepositoryUrl fileUrl(String rest, boolean allowFile)
      throws RepositoryRefusedException {
    if (!allowFile) {
      throw refused(
          "file:// URLs are only allowed on the dev stack (kiln.repos.allow-file); " + USE_HTTPS);
    }
    if (!rest.startsWith("/") || rest.length() == 1) {
      throw refused("a file:// URL needs an absolute path, as in file:///srv/git/app.git");
    }
    checkPath(rest);
    return new RepositoryUrl("file", "", -1, rest, "file://" + rest);
  }

  private static RepositoryUrl networkUrl(String scheme, String rest)
      throws RepositoryRefusedException {
    switch (scheme) {
      case "https", "http" -> {}
      case "ssh", "git+ssh", "ssh+git" ->
          throw refused(
              "scheme \""
                  + scheme
                  + "://\" is not supported (Kiln's workers fetch over https); "
                  + USE_HTTPS);
      case "git" ->
          throw refused(
              "scheme \"git://\" is not allowed: it is neither authenticated nor encrypted; "
                  + USE_HTTPS);
      default -> throw refused("scheme \"" + scheme + "://\" is not allowed; " + USE_HTTPS);
    }
    int end = firstOf(rest, "/?#");
    String authority = rest.substring(0, end);
    String path = rest.substring(end);
    if (authority.contains("@")) {
      throw refused("must not contain a user name or password (user@host): " + CREDENTIALS_HINT);
    }
    int colon = authority.lastIndexOf(':');
    boolean hasPort = colon > authority.lastIndexOf(']');
    String host = (hasPort ? authority.substring(0, colon) : authority).toLowerCase(Locale.ROOT);
    int port = hasPort ? port(authority.substring(colon + 1)) : -1;
    checkHost(scheme, host);
    if (path.contains("?") || path.contains("#")) {
      throw refused("must not have a query (?) or fragment (#)");
    }
    if (path.isEmpty() || path.equals("/")) {
      throw refused(scheme + " URL has no repository path");
    }
    checkPath(path);
    String canonical = scheme + "://" + host + (port > 0 ? ":" + port : "") + path;
    return new RepositoryUrl(scheme, host, port, path, canonical);
  }

  private static void checkHost(String scheme, String host) throws RepositoryRefusedException {
    if (host.isEmpty()) {
      throw refused(scheme + " URL has no host");
    }
    if (host.startsWith("[")) {
      if (HostLiterals.ipv6Bracketed(host).isEmpty()) {
        throw refused("host \"" + host + "\" is not a valid IPv6 address");
      }
      return;
    }
    if (host.length() > MAX_HOST_LENGTH || !HOST_NAME.matcher(host).matches()) {
      throw refused("host \"" + host + "\" is not a valid host name");
    }
    if (!HostLiterals.isCanonicalIpv4(host)) {
      Optional<InetAddress> numeric = HostLiterals.ipv4Numeric(host);
      if (numeric.isPresent()) {
        String address = HostLiterals.format(numeric.get());
        throw refused(
            "host \""
                + host
                + "\" is the IPv4 address "
                + address
                + " ("
                + AddressKind.of(numeric.get()).description()
                + ") in another spelling; write addresses as four decimal numbers");
      }
    }
  }

  private static int port(String text) throws RepositoryRefusedException {
    if (!PORT.matcher(text).matches()
        || Integer.parseInt(text) < 1
        || Integer.parseInt(text) > 65535) {
      throw refused("port \"" + text + "\" is not a number between 1 and 65535");
    }
    return Integer.parseInt(text);
  }

  /**
   * No {@code .} or {@code ..} segment, and no escaped control character, dot, slash or backslash:
   * servers resolve and decode those, so {@code team/x/../../admin/y} would fetch another
   * repository than a token's pattern {@code team/**} lets through.
   */
  private static void checkPath(String path) throws RepositoryRefusedException {
    if (!PATH_CHARS.matcher(path).matches()) {
      throw refused(
          "the path may contain only letters, digits and -._~!$&'()*+,;=:@/ and %-escapes");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw refused("must not contain \".\" or \"..\" path segments");
      }
    }
    Matcher escape = ESCAPE.matcher(path);
    while (escape.find()) {
      String hex = escape.group(1);
      if (hex == null || !hex.matches("[0-9A-Fa-f]{2}")) {
        throw refused("has a malformed %-escape");
      }
      int c = Integer.parseInt(hex, 16);
      if (c < 0x20 || c == 0x7f || c == '.' || c == '/' || c == '\\') {
        throw refused("must not %-escape control characters, \".\", \"/\" or \"\\\"");
      }
    }
  }

  private static int firstOf(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  private static RepositoryRefusedException refused(String reason) {
    return new RepositoryRefusedException(Subject.REPO, reason);
  }
}
