package dev.kiln.activities.fetch;

import java.io.IOException;
import java.io.InputStream;

/** Where a local submission's upload (a git bundle) comes from: the api, for a worker. */
@FunctionalInterface
public interface SubmissionSource {

  /**
   * The bundle run {@code runId} was submitted with, to read once.
   *
   * @throws BadRepositoryException the run has no upload (any more): asking again will not help
   * @throws RepositoryUnreachableException the api could not be asked (retryable)
   */
  InputStream open(long runId) throws FetchException, IOException;
}
