package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.LogChunk;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Reads a run's log in sequence order, a page of chunks at a time, so a long log never sits in
 * memory whole. The plain-text endpoint copies it to the response; a streaming (SSE) reader can use
 * {@link #readPage} the same way and then wait for more.
 */
@Service
public class LogReader {

  static final int PAGE = 64;

  private final RunRepository runs;
  private final LogChunkRepository chunks;

  public LogReader(RunRepository runs, LogChunkRepository chunks) {
    this.runs = runs;
    this.chunks = chunks;
  }

  /**
   * Pins what a read will return: the chunks stored when it starts, up to the highest sequence
   * number then. Chunks arriving during the copy are left for the next read ({@code after}).
   *
   * @throws ApiException 404 when the run does not exist
   */
  public LogSnapshot snapshot(long runId, LogFilter filter) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    long upTo = chunks.lastSeq(runId).orElse(-1L);
    return new LogSnapshot(runId, filter, Math.max(upTo, filter.afterSeq()));
  }

  /** Writes the snapshot's chunks, raw, in sequence order. */
  public void copy(LogSnapshot snapshot, OutputStream out) throws IOException {
    long after = snapshot.filter().afterSeq();
    while (after < snapshot.upToSeq()) {
      List<LogChunk> page = readPage(snapshot, after);
      for (LogChunk chunk : page) {
        out.write(chunk.data());
        after = chunk.seq();
      }
      if (page.size() < PAGE) {
        break;
      }
    }
    out.flush();
  }

  public List<LogChunk> readPage(LogSnapshot snapshot, long afterSeq) {
    return chunks.read(
        snapshot.runId(), snapshot.filter().step(), afterSeq, snapshot.upToSeq(), PAGE);
  }

  /**
   * @param upToSeq the highest sequence number the read covers; a client continues with {@code
   *     ?after=upToSeq}
   */
  public record LogSnapshot(long runId, LogFilter filter, long upToSeq) {}
}
