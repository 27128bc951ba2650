package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the disk a spool file holds for bytes that will never be forwarded: those past the output
 * cap. The file is cut back and at once extended to its length again: the cut blocks go back to the
 * file system and come back as a hole, so the file keeps the size the reader counts bytes by, and
 * the command keeps writing at its own offset (the spool is opened without {@code O_APPEND}). A
 * command printing {@code yes} for an hour therefore keeps about the cap on disk, not hundreds of
 * gigabytes.
 *
 * <p>Space is freed only once {@link #BATCH} bytes can be, so an ordinary burst past the cap costs
 * nothing and is counted exactly. In a flood, a write that lands between measuring the file and
 * cutting it is cut too; the count stays exact because the command's next write extends the file
 * past it again, unless that write was its very last: then the dropped-bytes count is short by it.
 * (Punching a hole would avoid even that, but the JDK cannot, and a process per hole is too slow to
 * keep up with a flood.)
 */
final class SpoolSpace implements OutputPump.SpoolReclaim {

  private static final Logger log = LoggerFactory.getLogger(SpoolSpace.class);

  /** Freed at a time, at least. */
  static final long BATCH = 8L << 20;

  private final Path spool;
  private FileChannel channel; // opened on first use: most commands never reach the cap
  private long freedBelow; // everything before this offset is a hole
  private long freedPastCapTo; // the hole past the cap reaches this offset
  private boolean failed;

  SpoolSpace(Path spool) {
    this.spool = spool;
  }

  /** Bytes in {@code [from, to)} lie past the cap and will never be read: free them. */
  @Override
  public synchronized void dropped(long from, long to) {
    long start = Math.max(from, freedPastCapTo);
    if (to - start >= BATCH && cutAndRestore(start, to)) {
      freedPastCapTo = to;
    }
  }

  /** Everything before {@code offset} has been read or counted: free it. */
  @Override
  public synchronized void consumed(long offset) {
    if (offset - freedBelow >= BATCH && cutAndRestore(0, offset)) {
      freedBelow = offset;
    }
  }

  /** Stops freeing; the reader is done with the file (or was given up on). */
  synchronized void close() {
    failed = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("closing {}: {}", spool, e.toString());
      }
    }
  }

  /** Frees {@code [from, end of file)} and makes the file at least {@code length} long again. */
  private boolean cutAndRestore(long from, long length) {
    if (failed) {
      return false;
    }
    try {
      if (channel == null) {
        channel = FileChannel.open(spool, StandardOpenOption.WRITE);
      }
      channel.truncate(from);
      if (channel.size() < length) {
        // Extending with ftruncate(2) allocates nothing: the gap reads as zeros, takes no disk.
        try (var file = new java.io.RandomAccessFile(spool.toFile(), "rw")) {
          if (file.length() < length) {
            file.setLength(length);
          }
        }
      }
      return true;
    } catch (IOException e) {
      failed = true;
      log.warn(
          "cannot free the output spool {} past the cap ({}): it grows with the command's output",
          spool,
          e.toString());
      return false;
    }
  }
}
