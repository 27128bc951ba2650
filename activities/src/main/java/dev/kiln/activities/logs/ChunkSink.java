package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;

/**
 * Where a {@link StepLog} hands its chunks: the worker's {@link LogUploader} (to the api), or a
 * local run's terminal ({@link PrintedChunks}).
 */
@FunctionalInterface
public interface ChunkSink {

  /** Takes a chunk of {@code attempt}'s log; {@code false} when it is refused (dropped). */
  boolean offer(RunAttempt attempt, LogChunk chunk);
}
