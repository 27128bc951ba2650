package dev.kiln.workflows.retention;

/**
 * What one retention pass removed.
 *
 * @param runs runs whose logs and artifacts are gone
 * @param logChunks log chunks deleted
 * @param artifacts artifacts deleted
 */
public record RetentionResult(int runs, long logChunks, int artifacts) {

  public RetentionResult plus(RetentionResult other) {
    return new RetentionResult(
        runs + other.runs, logChunks + other.logChunks, artifacts + other.artifacts);
  }
}
