package dev.kiln.activities.fetch;

import dev.kiln.workflows.FailureTypes;

/**
 * The repository could not be fetched for a reason that may go away: network, server, auth, or
 * local I/O. Retryable. The message keeps git's own error text, with credentials redacted.
 *
 * <p>It carries no cause on purpose: JGit's exception messages may quote the URL with a token in
 * it, and Temporal records the whole cause chain in the workflow history.
 */
public final class RepositoryUnreachableException extends FetchException {

  public RepositoryUnreachableException(String message) {
    super(message);
  }

  @Override
  public boolean retryable() {
    return true;
  }

  @Override
  public String failureType() {
    return FailureTypes.REPO_UNREACHABLE;
  }
}
