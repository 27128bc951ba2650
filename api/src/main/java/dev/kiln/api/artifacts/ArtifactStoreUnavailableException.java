package dev.kiln.api.artifacts;

/**
 * The configured artifact store cannot be used: the api does not start, and says why ({@link
 * ArtifactStoreFailureAnalyzer}) rather than printing a stack trace.
 */
public class ArtifactStoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ArtifactStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
