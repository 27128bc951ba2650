package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A log's chunks written out as they come, in order, to one stream: the text a server run's log
 * holds (what {@code kiln logs} prints), for a run on this machine ({@code kiln run --local}).
 */
public final class PrintedChunks implements ChunkSink {

  private final OutputStream out;

  public PrintedChunks(OutputStream out) {
    this.out = out;
  }

  @Override
  public synchronized boolean offer(RunAttempt attempt, LogChunk chunk) {
    try {
      out.write(chunk.data());
      out.flush();
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the log", e);
    }
  }
}
