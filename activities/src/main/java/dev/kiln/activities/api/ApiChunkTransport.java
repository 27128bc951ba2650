package dev.kiln.activities.api;

import dev.kiln.activities.logs.ChunkTransport;
import dev.kiln.activities.logs.ChunksRefusedException;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.internal.InternalBodies.LogBatch;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.List;

/** Posts chunks to {@code POST /internal/runs/{id}/logs}; the api ignores seqs it already has. */
public class ApiChunkTransport implements ChunkTransport {

  private final KilnApiClient api;

  public ApiChunkTransport(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public void send(long runId, List<LogChunk> chunks) {
    try {
      api.post(InternalPaths.logs(runId), new LogBatch(chunks));
    } catch (ApiRejectedException e) {
      if (!e.isRetryable()) {
        throw new ChunksRefusedException(e.getMessage(), e);
      }
      throw e;
    }
  }
}
