package dev.kiln.api.retention;

import dev.kiln.api.artifacts.ArtifactStore;
import dev.kiln.api.runs.RunViews;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Removes the logs and artifacts of finished runs older than their repository's retention ({@code
 * kiln.retention}), batch by batch, as the daily retention workflow asks through {@code POST
 * /internal/retention}. The newest run of each lane keeps them, however old: it is what the lane's
 * state shows. Each run keeps its row, gates and summary, and its view says what was removed.
 */
@Service
public class RetentionService {

  private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

  /**
   * What one batch removed.
   *
   * @param more whether more runs may be due (the batch was full)
   */
  public record Pruned(int runs, long logChunks, int artifacts, boolean more) {}

  private final RetentionRepository ledger;
  private final RetentionRules rules;
  private final ArtifactStore store;
  private final RunViews views;
  private final int batchSize;

  RetentionService(
      RetentionRepository ledger,
      RetentionProperties properties,
      ArtifactStore store,
      RunViews views) {
    this.ledger = ledger;
    this.rules = new RetentionRules(properties);
    this.store = store;
    this.views = views;
    this.batchSize = properties.batchSize();
  }

  /**
   * Removes up to {@code limit} due runs' logs and artifacts ({@code kiln.retention.batch-size}
   * when null).
   */
  public Pruned prune(Integer limit) throws IOException {
    int batch = limit == null ? batchSize : Math.min(limit, batchSize);
    int runs = 0;
    long chunks = 0;
    int artifacts = 0;
    for (RetentionRepository.Due due : ledger.due(rules, batch)) {
      RetentionRepository.Removed removed = ledger.remove(due);
      for (String key : removed.artifactKeys()) {
        if (!ledger.referenced(key)) {
          store.delete(key);
        }
      }
      views.forget(due.runId());
      runs++;
      chunks += removed.logChunks();
      artifacts += removed.artifactKeys().size();
    }
    if (runs > 0) {
      log.info(
          "retention removed the logs ({} chunks) and {} artifacts of {} runs",
          chunks,
          artifacts,
          runs);
    }
    return new Pruned(runs, chunks, artifacts, runs == batch);
  }
}
