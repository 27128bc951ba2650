package dev.kiln.activities.fetch;

import dev.kiln.workflows.FailureTypes;

/**
 * The repository string is not allowed, or the server answered that there is no git repository
 * there. Not retryable: asking again gets the same answer. Like {@link
 * RepositoryUnreachableException} it carries no cause, so no credential can ride along in one.
 */
public final class BadRepositoryException extends FetchException {

  public BadRepositoryException(String message) {
    super(message);
  }

  @Override
  public boolean retryable() {
    return false;
  }

  @Override
  public String failureType() {
    return FailureTypes.BAD_REPOSITORY;
  }
}
