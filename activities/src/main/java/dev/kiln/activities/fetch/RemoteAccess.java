package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.time.Duration;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.TransportHttp;

/**
 * How this worker reaches repositories: JGit's HTTP transport over {@link
 * PinnedHttpConnectionFactory} (so every connection is to addresses the policy judged), with the
 * host's repository credentials. Any other transport JGit might pick is refused before it connects,
 * except {@code file://} for a URL the policy accepted as one.
 */
public final class RemoteAccess implements AutoCloseable {

  private final PinnedHttpConnectionFactory http;
  private final RepositoryCredentials credentials;

  private RemoteAccess(PinnedHttpConnectionFactory http, RepositoryCredentials credentials) {
    this.http = http;
    this.credentials = credentials;
  }

  /**
   * @param timeout how long connecting, and each read, may take
   */
  public static RemoteAccess of(
      RepositoryPolicy policy, RepositoryCredentials credentials, Duration timeout) {
    return new RemoteAccess(new PinnedHttpConnectionFactory(policy, timeout), credentials);
  }

  /**
   * {@code file://} only: for a mirror cache that is only looked up, and local test repositories.
   */
  public static RemoteAccess localOnly() {
    return new RemoteAccess(null, RepositoryCredentials.none());
  }

  public RepositoryCredentials credentials() {
    return credentials;
  }

  /** Sets up a fetch (or clone) of {@code repository}. */
  void configure(TransportCommand<?, ?> command, RepositoryUrl repository) {
    command.setCredentialsProvider(credentials);
    command.setTransportConfigCallback(
        transport -> {
          if (transport instanceof TransportHttp httpTransport && http != null) {
            httpTransport.setHttpConnectionFactory(http.forRepository(repository));
            return;
          }
          String scheme = transport.getURI().getScheme();
          if (repository.isFile() && "file".equals(scheme)) {
            return;
          }
          throw new RefusedTransportException(
              "this worker fetches "
                  + repository.canonical()
                  + " only over https or http, not with JGit's "
                  + transport.getClass().getSimpleName());
        });
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
  }

  /** A transport other than the pinned HTTP one, refused before it connected. */
  static final class RefusedTransportException extends RuntimeException {
    RefusedTransportException(String message) {
      super(message);
    }
  }
}
