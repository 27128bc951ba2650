package dev.kiln.activities.fetch;

import dev.kiln.workflows.FailureTypes;

/**
 * The requested branch, tag or sha does not exist in the repository, or is not a ref at all (the
 * repository policy refuses {@code main~1}). Not retryable. The message is exactly {@code ref not
 * found: <ref>}, or {@code ref not allowed: <reason>}: it becomes the run's failure summary.
 */
public final class RefNotFoundException extends FetchException {

  private final String ref;

  public RefNotFoundException(String ref) {
    this(ref, "ref not found: " + ref);
  }

  private RefNotFoundException(String ref, String message) {
    super(message);
    this.ref = ref;
  }

  /** The policy refuses {@code ref}, for {@code reason}. */
  static RefNotFoundException refused(String ref, String reason) {
    return new RefNotFoundException(ref, "ref not allowed: " + reason);
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
