package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.util.List;

/**
 * Delivers chunks of one attempt of a run to the api. Implementations may throw; the uploader
 * retries, except after a {@link ChunksRefusedException}. An attempt the api refuses as stale is
 * superseded by the transport ({@link RunAttempt#supersede}), and the uploader drops the rest of
 * its chunks.
 */
@FunctionalInterface
public interface ChunkTransport {

  /**
   * @return whether anyone follows the run's log live, as the api answered; {@code true} when it
   *     did not say (an api older than the answer), so that nobody waits for a line
   */
  boolean send(RunAttempt attempt, List<LogChunk> chunks);
}
