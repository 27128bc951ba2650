package dev.kiln.activities.fetch;

import dev.kiln.workflows.FailureTypes;
import java.util.List;

/**
 * A short sha matches more than one commit. Not retryable: the caller must give more digits. It
 * shares the {@code REF_NOT_FOUND} failure type because, for the run, the ref names no single
 * commit.
 */
public final class AmbiguousRefException extends FetchException {

  public AmbiguousRefException(String ref, List<String> candidates) {
    super(
        "ambiguous ref: "
            + ref
            + " matches "
            + candidates.size()
            + " commits ("
            + String.join(", ", candidates)
            + "); give more digits");
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
