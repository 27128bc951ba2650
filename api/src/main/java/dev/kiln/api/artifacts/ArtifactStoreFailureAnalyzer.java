package dev.kiln.api.artifacts;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start that failed on the artifact store into Spring Boot's "APPLICATION FAILED TO START"
 * report: what is wrong and what to do, without the stack trace (which stays in the debug log).
 */
public class ArtifactStoreFailureAnalyzer
    extends AbstractFailureAnalyzer<ArtifactStoreUnavailableException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, ArtifactStoreUnavailableException cause) {
    return new FailureAnalysis(
        "Kiln cannot use its artifact store: " + cause.getMessage(),
        "Fix the store or the kiln.artifacts.s3.* settings (environment variables"
            + " KILN_ARTIFACTS_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY, _PATH_STYLE),"
            + " or set kiln.artifacts.store=filesystem to keep artifacts on this host's disk"
            + " (docs/operations.md).",
        cause);
  }
}
