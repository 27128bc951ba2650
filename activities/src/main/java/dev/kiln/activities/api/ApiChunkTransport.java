package dev.kiln.activities.api;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.logs.ChunkTransport;
import dev.kiln.activities.logs.ChunksRefusedException;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.internal.InternalBodies.LogBatch;
import dev.kiln.workflows.internal.InternalBodies.LogsAnswer;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.List;

/**
 * Posts chunks to {@code POST /internal/runs/{id}/logs}, fenced by their attempt; the api ignores
 * seqs it already has.
 */
public class ApiChunkTransport implements ChunkTransport {

  private final KilnApiClient api;

  public ApiChunkTransport(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public boolean send(RunAttempt attempt, List<LogChunk> chunks) {
    try {
      LogsAnswer answer =
          api.post(
              attempt, InternalPaths.logs(attempt.runId()), new LogBatch(chunks), LogsAnswer.class);
      return answer == null || answer.followed();
    } catch (ApiRejectedException e) {
      if (!e.isRetryable()) {
        throw new ChunksRefusedException(e.getMessage(), e);
      }
      throw e;
    }
  }
}
