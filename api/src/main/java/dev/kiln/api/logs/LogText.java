package dev.kiln.api.logs;

import dev.kiln.workflows.LogChunk;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns one run's chunks, read in sequence order, into text: a character cut at the end of a chunk
 * is held back and sent with the step's next chunk ({@link Utf8Chunks}). Not thread-safe: one
 * reader (a feed, or a stream catching up) owns it.
 */
final class LogText {

  private final long runId;
  private final LogChunkRepository chunks;
  private final Map<String, byte[]> carry = new HashMap<>();
  private final Set<String> stepsSeen = new HashSet<>();

  LogText(long runId, LogChunkRepository chunks) {
    this.runId = runId;
    this.chunks = chunks;
  }

  String text(LogChunk chunk) {
    byte[] carried = carry.remove(chunk.step());
    if (carried == null) {
      carried = new byte[0];
      if (stepsSeen.add(chunk.step()) && Utf8Chunks.startsMidCharacter(chunk.data())) {
        // reading resumed (Last-Event-ID, live edge, a lagging stream) in the middle of a
        // character: its first bytes went with a chunk that was not read here
        carried =
            chunks
                .previousData(runId, chunk.step(), chunk.seq())
                .map(Utf8Chunks::tail)
                .orElse(carried);
      }
    }
    Utf8Chunks.Decoded decoded = Utf8Chunks.decode(carried, chunk.data());
    if (decoded.carry().length > 0) {
      carry.put(chunk.step(), decoded.carry());
    }
    return decoded.text();
  }

  /** Reading continues after a gap: forget what was carried, look back at the next chunk. */
  void resume() {
    carry.clear();
    stepsSeen.clear();
  }
}
