package dev.kiln.workflows.repo;

/**
 * A repository URL that passed {@link RepositoryPolicy}'s syntax rules, taken apart.
 *
 * @param scheme {@code https}, {@code http} or {@code file}, lower case
 * @param host lower case; an IPv6 address in brackets; empty for {@code file}
 * @param port the port written in the URL, or {@code -1}
 * @param path from the first {@code /} on, as written
 * @param canonical the URL as Kiln stores and shows it: scheme and host in lower case, the rest as
 *     written. Runs, lanes, token repository patterns and search attributes all see this form.
 */
public record RepositoryUrl(String scheme, String host, int port, String path, String canonical) {

  public boolean isFile() {
    return scheme.equals("file");
  }

  /** The port a connection goes to: the one written, else the scheme's. */
  public int effectivePort() {
    return port > 0 ? port : scheme.equals("http") ? 80 : 443;
  }

  @Override
  public String toString() {
    return canonical;
  }
}
