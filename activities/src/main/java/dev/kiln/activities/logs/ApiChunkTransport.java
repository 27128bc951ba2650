package dev.kiln.activities.logs;

import dev.kiln.activities.ledger.KilnApiClient;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Posts chunks to {@code POST /internal/runs/{id}/logs}; the api ignores seqs it already has. */
public class ApiChunkTransport implements ChunkTransport {

  private final KilnApiClient api;

  public ApiChunkTransport(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public void send(long runId, List<LogChunk> chunks) {
    List<Map<String, Object>> body =
        chunks.stream()
            .map(
                c ->
                    Map.<String, Object>of(
                        "seq", c.seq(),
                        "step", c.step(),
                        "offset", c.offset(),
                        "ts", c.ts().toString(),
                        "data", Base64.getEncoder().encodeToString(c.data())))
            .toList();
    api.post("runs/" + runId + "/logs", Map.of("chunks", body));
  }
}
