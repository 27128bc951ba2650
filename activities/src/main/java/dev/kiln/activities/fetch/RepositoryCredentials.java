package dev.kiln.activities.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Repository credentials: a user name and password (or token) per host, from the worker's
 * configuration, answered to JGit when a server asks for them. They live in the worker process
 * only: never in a repository URL, so never in a run, a log, Temporal's history or its search
 * attributes. A password may come from a file (a mounted secret), read each time it is asked for,
 * so a rotated secret takes effect without a restart.
 *
 * <p>JGit asks with the URL it is talking to; a host a redirect led to gets nothing unless it has
 * credentials of its own.
 */
public final class RepositoryCredentials extends CredentialsProvider {

  /**
   * @param host {@code git.example.com}, or {@code git.example.com:8443} for one port only
   * @param username as the server expects it ({@code x-access-token} for a GitHub token, {@code
   *     oauth2} for GitLab)
   * @param password the password or token; or empty, with {@code passwordFile} set
   * @param passwordFile a file holding the password (one trailing newline is ignored)
   */
  public record Credential(String host, String username, String password, Path passwordFile) {

    public Credential {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("kiln.repos.credentials: an entry has no host");
      }
      host = host.toLowerCase(Locale.ROOT);
      if (username == null || username.isBlank()) {
        throw new IllegalArgumentException(
            "kiln.repos.credentials: the entry for " + host + " has no username");
      }
      boolean hasPassword = password != null && !password.isEmpty();
      if (hasPassword == (passwordFile != null)) {
        throw new IllegalArgumentException(
            "kiln.repos.credentials: the entry for "
                + host
                + " needs exactly one of password and password-file");
      }
    }

    char[] secret() {
      if (passwordFile == null) {
        return password.toCharArray();
      }
      try {
        String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
        return text.replaceFirst("\r?\n$", "").toCharArray();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the password file of the repository credentials for " + host, e);
      }
    }

    /** Never the secret. */
    @Override
    public String toString() {
      return "Credential[" + host + ", " + username + "]";
    }
  }

  private static final RepositoryCredentials NONE = new RepositoryCredentials(List.of());

  private final Map<String, Credential> byHost = new HashMap<>();

  public RepositoryCredentials(List<Credential> credentials) {
    for (Credential credential : credentials) {
      if (byHost.put(credential.host(), credential) != null) {
        throw new IllegalArgumentException(
            "kiln.repos.credentials: two entries for " + credential.host());
      }
    }
  }

  public static RepositoryCredentials none() {
    return NONE;
  }

  /** Whether a host (and port) has credentials: for messages that say what to configure. */
  public boolean hasFor(String host, int port) {
    return find(host, port) != null;
  }

  @Override
  public boolean isInteractive() {
    return false;
  }

  @Override
  public boolean supports(CredentialItem... items) {
    for (CredentialItem item : items) {
      if (!(item instanceof CredentialItem.Username)
          && !(item instanceof CredentialItem.Password)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
    Credential credential = uri.getHost() == null ? null : find(uri.getHost(), uri.getPort());
    if (credential == null) {
      return false;
    }
    for (CredentialItem item : items) {
      if (item instanceof CredentialItem.Username username) {
        username.setValue(credential.username());
      } else if (item instanceof CredentialItem.Password password) {
        password.setValue(credential.secret());
      } else {
        throw new UnsupportedCredentialItem(uri, item.getClass().getSimpleName());
      }
    }
    return true;
  }

  private Credential find(String host, int port) {
    String h = host.toLowerCase(Locale.ROOT);
    Credential withPort = port > 0 ? byHost.get(h + ":" + port) : null;
    return withPort != null ? withPort : byHost.get(h);
  }
}
