package dev.kiln.activities.api;

import dev.kiln.activities.fetch.BadRepositoryException;
import dev.kiln.activities.fetch.FetchException;
import dev.kiln.activities.fetch.RepositoryUnreachableException;
import dev.kiln.activities.fetch.SubmissionSource;
import dev.kiln.workflows.internal.InternalPaths;
import java.io.InputStream;

/** A local submission's upload from {@code GET /internal/runs/{id}/submission}. */
public final class ApiSubmissionSource implements SubmissionSource {

  private final KilnApiClient api;

  public ApiSubmissionSource(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public InputStream open(long runId) throws FetchException {
    try {
      return api.download(InternalPaths.submission(runId));
    } catch (ApiRejectedException e) {
      if (e.isRetryable()) {
        throw new RepositoryUnreachableException(
            "the api could not send the upload: " + e.detail());
      }
      throw new BadRepositoryException(
          "the api has no upload for run " + runId + ": " + e.detail());
    } catch (ApiUnavailableException e) {
      throw new RepositoryUnreachableException("the api is unreachable: " + e.getMessage());
    }
  }
}
