package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryRefusedException;
import java.net.UnknownHostException;

/**
 * A host the repository policy refused at connection time. An {@link UnknownHostException} because
 * that is what an HTTP client's resolver may throw: the connection is never opened.
 */
final class RefusedHostException extends UnknownHostException {

  private final String host;
  private final String reason;

  RefusedHostException(String host, String reason) {
    super(reason);
    this.host = host;
    this.reason = reason;
  }

  static RefusedHostException of(String host, RepositoryRefusedException refused) {
    return new RefusedHostException(host, refused.reason());
  }

  String host() {
    return host;
  }

  String reason() {
    return reason;
  }
}
