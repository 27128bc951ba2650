package dev.kiln.activities.fetch;

import dev.kiln.workflows.FailureTypes;

/**
 * The requested branch, tag or sha does not exist in the repository. Not retryable. The message is
 * exactly {@code ref not found: <ref>}: it becomes the run's failure summary.
 */
public final class RefNotFoundException extends FetchException {

  private final String ref;

  public RefNotFoundException(String ref) {
    super("ref not found: " + ref);
    this.ref = ref;
  }

  /** The ref as the caller gave it ({@code HEAD} when the default branch was asked for). */
  public String ref() {
    return ref;
  }

  @Override
  public boolean retryable() {
    return false;
  }

  @Override
  public String failureType() {
    return FailureTypes.REF_NOT_FOUND;
  }
}
