package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run view says when a fetch fails: the repository and the kind of failure, never the text
 * of the error. That text quotes what the remote answered (a page of HTML, an error of a service
 * that is not git at all) and names addresses and ports ("Connection refused: 10.0.0.5:5432"):
 * echoed to the caller it would make Kiln a tool to read internal services and scan ports. The full
 * text goes to the worker's own log, for its operators.
 */
final class FetchFailures {

  private static final Logger log = LoggerFactory.getLogger(FetchFailures.class);

  private FetchFailures() {}

  /**
   * @param failure what JGit threw for a fetch of {@code repository}
   * @param credentials to say whether the host has repository credentials
   */
  static FetchException classify(
      RepositoryUrl repository, Exception failure, RepositoryCredentials credentials) {
    String repo = repository.canonical();
    log.warn("fetch of {} failed: {}", repo, RepositoryPolicy.redact(chain(failure)));
    RefusedHostException refused = find(failure, RefusedHostException.class);
    if (refused != null) {
      boolean sameHost =
          ("[" + refused.host() + "]").equals(repository.host())
              || refused.host().equals(repository.host());
      return new BadRepositoryException(
          sameHost
              ? "repository not allowed: " + refused.reason()
              : "repository not allowed: "
                  + repo
                  + " redirected to a host Kiln does not fetch from ("
                  + refused.reason()
                  + ")");
    }
    return new RepositoryUnreachableException(
        "fetch of " + repo + " failed: " + kind(repository, failure, credentials));
  }

  private static String kind(
      RepositoryUrl repository, Exception failure, RepositoryCredentials credentials) {
    if (find(failure, UnknownHostException.class) != null) {
      return "host not found";
    }
    if (find(failure, ConnectTimeoutException.class) != null
        || find(failure, SocketTimeoutException.class) != null) {
      return "timed out";
    }
    if (find(failure, ConnectException.class) != null
        || find(failure, HttpHostConnectException.class) != null
        || find(failure, NoRouteToHostException.class) != null) {
      return "could not connect";
    }
    if (find(failure, SSLException.class) != null) {
      return "TLS handshake or certificate check failed";
    }
    String text = chain(failure).toLowerCase(Locale.ROOT);
    if (text.contains("not authorized")
        || text.contains("authentication is required")
        || text.contains("authentication not supported")
        || text.contains("no credentialsprovider")) {
      return credentials.hasFor(repository.host(), repository.port())
          ? "authentication failed with this host's repository credentials"
          : "the server asks for credentials: give the workers repository credentials for "
              + repository.host()
              + " (kiln.repos.credentials)";
    }
    if (find(failure, NoRemoteRepositoryException.class) != null || text.contains("not found")) {
      return "no git repository there (or it needs repository credentials)";
    }
    if (text.contains("forbidden") || text.contains(" 403")) {
      return "access denied";
    }
    return "the server's answer is not one of a git repository";
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String chain(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (!text.isEmpty()) {
        text.append(" <- ");
      }
      text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return text.toString();
  }
}
