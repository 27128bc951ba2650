package dev.kiln.activities.api;

import dev.kiln.activities.logs.ChunkTransport;
import dev.kiln.activities.logs.ChunksRefusedException;
import dev.kiln.activities.logs.LogChunk;
import dev.kiln.workflows.internal.InternalBodies.Chunk;
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
    List<Chunk> body =
        chunks.stream()
            .map(c -> new Chunk(c.seq(), c.step(), c.offset(), c.ts(), c.data()))
            .toList();
    try {
      api.post(InternalPaths.logs(runId), new LogBatch(body));
    } catch (ApiRejectedException e) {
      if (!e.isRetryable()) {
        throw new ChunksRefusedException(e.getMessage(), e);
      }
      throw e;
    }
  }
}
