package dev.kiln.api.logs;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.logs.LogChunkRepository.LogBudget;
import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.LogChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores log chunk batches from workers, idempotently, within the per-run cap, and tells followers.
 *
 * <p>The cap ({@code kiln.logs.max-bytes-per-run}) counts the worker's bytes. The first chunk that
 * does not fit, and every chunk after it, is not stored; in its place (its {@code seq}, so the line
 * sits exactly where the log was cut) the api stores one chunk of step {@value #STEP} saying {@code
 * log truncated at 64 MiB; N bytes dropped}. Later drops rewrite that line with the running total
 * (also kept in {@code runs.log_bytes_dropped} and sent with the stream's {@code end} event), so a
 * reader coming later sees the final count; a follower that already got the line keeps the first
 * one. The build result is not affected.
 */
@Service
public class LogIngest {

  /** The step of lines the api itself writes into a run's log. */
  public static final String STEP = "kiln";

  private static final Logger log = LoggerFactory.getLogger(LogIngest.class);

  private final LogChunkRepository chunks;
  private final long maxBytes;
  private final BuildMetrics metrics;
  private final AttemptFence fence;

  public LogIngest(
      LogChunkRepository chunks,
      KilnProperties properties,
      BuildMetrics metrics,
      AttemptFence fence) {
    this.metrics = metrics;
    this.fence = fence;
    this.chunks = chunks;
    this.maxBytes = properties.logs().maxBytesPerRun().toBytes();
  }

  /**
   * Stores chunks the api writes itself, or a worker sent without an attempt.
   *
   * @see #append(long, Integer, List)
   */
  @Transactional
  public int append(long runId, List<LogChunk> batch) {
    return append(runId, null, batch).stored();
  }

  /**
   * What a batch did.
   *
   * @param stored how many chunks were new and stored (the truncation line included)
   * @param followed whether anyone follows the run's log live ({@link LogStreams}): the build host
   *     sends the next chunks at once if so, and may gather them for up to a second if not
   */
  public record Appended(int stored, boolean followed) {}

  /**
   * Chunks whose {@code seq} the run already has are ignored: a retried upload changes nothing.
   * Chunks for a run that already ended are still accepted (cleanup may log after the result).
   * Chunks of an attempt the run has left behind are refused, all of them ({@link AttemptFence}).
   *
   * @param attempt the build host's attempt the chunks come from; {@code null} is not checked
   */
  @Transactional
  public Appended append(long runId, Integer attempt, List<LogChunk> batch) {
    // the row lock serialises batches of one run, so the check below and the insert cannot
    // interleave with another batch's
    LogChunkRepository.LockedLog locked =
        chunks.lockBudget(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    LogBudget budget = locked.budget();
    fence.admit(runId, attempt, "logs");
    if (batch.isEmpty()) {
      return new Appended(0, locked.followed());
    }
    Set<Long> stored = chunks.existingSeqs(runId, batch.stream().map(LogChunk::seq).toList());
    List<LogChunk> fresh =
        batch.stream()
            .filter(c -> !stored.contains(c.seq()))
            .sorted(Comparator.comparingLong(LogChunk::seq))
            .toList();
    List<LogChunk> keep = new ArrayList<>();
    List<LogChunk> drop = new ArrayList<>();
    long storedBytes = budget.storedBytes();
    long lastSeq = Long.MIN_VALUE;
    for (LogChunk chunk : fresh) {
      if (chunk.seq() == lastSeq) {
        continue; // the same seq twice in one batch: the first one counts, as ON CONFLICT would
      }
      lastSeq = chunk.seq();
      if (drop.isEmpty() && !budget.truncated() && storedBytes + chunk.data().length <= maxBytes) {
        keep.add(chunk);
        storedBytes += chunk.data().length;
      } else {
        drop.add(chunk);
      }
    }
    int inserted = chunks.insertAll(runId, keep);
    metrics.logStored(storedBytes - budget.storedBytes());
    LogBudget after =
        new LogBudget(
            storedBytes, budget.droppedBytes(), budget.truncatedSeq(), budget.droppedSeq());
    if (!drop.isEmpty()) {
      after = truncate(runId, after, drop);
      inserted += budget.truncated() ? 0 : 1;
    }
    if (!after.equals(budget)) {
      chunks.saveBudget(runId, after);
    }
    if (inserted > 0) {
      chunks.notifyAppended(runId);
    }
    return new Appended(inserted, locked.followed());
  }

  private LogBudget truncate(long runId, LogBudget budget, List<LogChunk> drop) {
    // a retried upload of chunks dropped before must not count them again; chunks are numbered
    // upwards, so "above the highest seq counted" tells new ones from retries
    long floor = budget.droppedSeq() == null ? Long.MIN_VALUE : budget.droppedSeq();
    long dropped = 0;
    long highest = floor;
    for (LogChunk chunk : drop) {
      if (chunk.seq() > floor) {
        dropped += chunk.data().length;
        highest = Math.max(highest, chunk.seq());
      }
    }
    if (budget.truncated() && dropped == 0) {
      return budget;
    }
    long total = budget.droppedBytes() + dropped;
    byte[] line = truncationLine(maxBytes, total);
    if (!budget.truncated()) {
      long seq = drop.get(0).seq();
      chunks.insertAll(runId, List.of(new LogChunk(seq, STEP, 0L, null, line)));
      log.warn("run {} reached the log cap of {}; dropping further output", runId, size(maxBytes));
      return new LogBudget(budget.storedBytes(), total, seq, highest);
    }
    chunks.replaceData(runId, budget.truncatedSeq(), line);
    return new LogBudget(budget.storedBytes(), total, budget.truncatedSeq(), highest);
  }

  static byte[] truncationLine(long maxBytes, long droppedBytes) {
    return ("log truncated at " + size(maxBytes) + "; " + droppedBytes + " bytes dropped\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** "64 MiB", "512 KiB" or "1000 bytes": the cap as whoever configured it probably wrote it. */
  static String size(long bytes) {
    if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }
}
