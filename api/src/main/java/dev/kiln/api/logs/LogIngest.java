package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stores log chunk batches from workers, idempotently, and tells followers. */
@Service
public class LogIngest {

  private final RunRepository runs;
  private final LogChunkRepository chunks;

  public LogIngest(RunRepository runs, LogChunkRepository chunks) {
    this.runs = runs;
    this.chunks = chunks;
  }

  /**
   * Chunks whose {@code seq} the run already has are ignored: a retried upload changes nothing.
   * Chunks for a run that already ended are still accepted (cleanup may log after the result).
   *
   * @return how many chunks were new
   */
  @Transactional
  public int append(long runId, List<LogChunk> batch) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    int inserted = chunks.insertAll(runId, batch);
    if (inserted > 0) {
      chunks.notifyAppended(runId);
    }
    return inserted;
  }
}
