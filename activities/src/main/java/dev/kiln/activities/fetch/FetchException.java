package dev.kiln.activities.fetch;

/**
 * Why a fetch failed, with what the activity adapter needs to turn it into a Temporal failure: a
 * retryable failure is rethrown as is, a permanent one becomes a non-retryable {@code
 * ApplicationFailure} of {@link #failureType()}.
 */
public abstract sealed class FetchException extends Exception
    permits RefNotFoundException,
        AmbiguousRefException,
        BadRepositoryException,
        RepositoryUnreachableException {

  FetchException(String message) {
    super(message);
  }

  /** Whether trying again (later, or on another host) can succeed. */
  public abstract boolean retryable();

  /** One of the {@link dev.kiln.workflows.FailureTypes} constants. */
  public abstract String failureType();
}
