package dev.kiln.activities.logs;

import dev.kiln.workflows.LogChunk;
import java.util.List;

/**
 * Delivers chunks of one run to the api. Implementations may throw; the uploader retries, except
 * after a {@link ChunksRefusedException}.
 */
@FunctionalInterface
public interface ChunkTransport {

  void send(long runId, List<LogChunk> chunks);
}
