package dev.kiln.workflows.repo;

import dev.kiln.workflows.repo.RepositoryRefusedException.Subject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule on which repositories and refs Kiln fetches, applied by the api when a run is
 * submitted and by the build worker when it fetches, so that what the api accepts the worker does
 * not refuse later.
 *
 * <ul>
 *   <li>{@link #check} the URL: https or http (and {@code file://} where {@code
 *       kiln.repos.allow-file} is on), no credentials in it, and a host that is, or resolves to,
 *       public addresses only, unless {@code kiln.repos.allow-hosts} allows it;
 *   <li>{@link #checkRef} the ref: a branch, tag, {@code refs/...} name or sha;
 *   <li>{@link #addresses}: where the worker may connect for a host, asked by its HTTP transport
 *       for every connection, redirects included. The connection goes to exactly the addresses
 *       checked, so a name that resolves to a public address at submit and to 127.0.0.1 a moment
 *       later (DNS rebinding) still never reaches 127.0.0.1.
 * </ul>
 */
public final class RepositoryPolicy {

  private static final String UNLESS_ALLOWED =
      "Kiln fetches only from public addresses unless kiln.repos.allow-hosts allows the host";

  private static final Pattern USERINFO_IN_TEXT =
      Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]+@");

  private final boolean allowFile;
  private final AllowedHosts allowHosts;
  private final HostResolver resolver;

  /**
   * @param allowFile accept {@code file://} URLs (the single-machine dev stack)
   * @param allowHosts hosts fetched from although their addresses are not public
   * @param resolver how host names become addresses
   */
  public RepositoryPolicy(boolean allowFile, AllowedHosts allowHosts, HostResolver resolver) {
    this.allowFile = allowFile;
    this.allowHosts = allowHosts;
    this.resolver = resolver;
  }

  /** With the system's resolver. */
  public static RepositoryPolicy of(boolean allowFile, List<String> allowHosts) {
    return new RepositoryPolicy(allowFile, AllowedHosts.of(allowHosts), HostResolver.SYSTEM);
  }

  /**
   * Checks a repository URL: its written form, then the addresses its host resolves to. A name that
   * does not resolve here passes: where it resolves, {@link #addresses} judges it before any
   * connection, and a fetch of a name that resolves nowhere fails as unreachable.
   *
   * @return the URL taken apart, with the {@link RepositoryUrl#canonical} form to store
   */
  public RepositoryUrl check(String repo) throws RepositoryRefusedException {
    RepositoryUrl url = UrlSyntax.parse(repo, allowFile);
    if (!url.isFile()) {
      try {
        addresses(url.host());
      } catch (UnknownHostException e) {
        // judged where it resolves
      }
    }
    return url;
  }

  /**
   * @param ref {@code null} for the repository's default branch
   */
  public void checkRef(String ref) throws RepositoryRefusedException {
    RefNames.check(ref);
  }

  /**
   * The addresses a connection to {@code host} may use: every address it resolves to, when all of
   * them are public or allowed.
   *
   * @param host as in a URL: a name, a dotted quad or a bracketed IPv6 address (brackets optional)
   * @throws RepositoryRefusedException an address is not public and not allowed
   * @throws UnknownHostException the name does not resolve
   */
  public List<InetAddress> addresses(String host)
      throws RepositoryRefusedException, UnknownHostException {
    String h = host.toLowerCase(Locale.ROOT);
    String bracketed = h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    Optional<InetAddress> literal =
        HostLiterals.isCanonicalIpv4(h)
            ? HostLiterals.ipv4Numeric(h)
            : HostLiterals.ipv6Bracketed(bracketed);
    if (literal.isPresent()) {
      judge(bracketed, literal.get(), true);
      return List.of(literal.get());
    }
    Optional<InetAddress> numeric = HostLiterals.ipv4Numeric(h);
    if (numeric.isPresent()) {
      // never a name: the C library's resolver reads 0x7f.1 as 127.0.0.1
      judge(h, numeric.get(), true);
      return List.of(numeric.get());
    }
    List<InetAddress> resolved = resolver.resolve(h);
    if (resolved.isEmpty()) {
      throw new UnknownHostException(h);
    }
    if (!allowHosts.allowsName(h)) {
      for (InetAddress address : resolved) {
        judge(h, address, false);
      }
    }
    return List.copyOf(resolved);
  }

  private void judge(String host, InetAddress address, boolean literal)
      throws RepositoryRefusedException {
    AddressKind kind = AddressKind.of(address);
    if (kind.isPublic() || allowHosts.allowsAddress(address)) {
      return;
    }
    String what =
        literal
            ? "host " + host + " is " + kind.description()
            // the address itself stays unsaid: a caller must not map the worker's network
            : "host \"" + host + "\" resolves to " + kind.description();
    throw new RepositoryRefusedException(Subject.REPO, what + "; " + UNLESS_ALLOWED);
  }

  /**
   * Hides any user part of a URL quoted in {@code text} (a git error, a redirect's location), for
   * logs: Kiln refuses URLs with one, but a server may still send one back.
   */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = USERINFO_IN_TEXT.matcher(text);
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "***@"));
  }
}
