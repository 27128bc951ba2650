package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the disk a spool file holds once its bytes were read past the output cap. The file is cut
 * to nothing; the command keeps writing at its own file offset (the spool is opened without {@code
 * O_APPEND}), so the file becomes sparse: its size still counts every byte written, which is what
 * the reader measures, while the blocks before the offset are gone. A command printing {@code yes}
 * for an hour therefore keeps a few megabytes on disk, not hundreds of gigabytes.
 */
final class SpoolSpace {

  private static final Logger log = LoggerFactory.getLogger(SpoolSpace.class);

  private final Path spool;
  private FileChannel channel; // opened on first use: most commands never reach the cap
  private boolean failed;

  SpoolSpace(Path spool) {
    this.spool = spool;
  }

  /** Called by the reader past the cap, after it skipped to the end of what is there. */
  synchronized void reclaim() {
    if (failed) {
      return;
    }
    try {
      if (channel == null) {
        channel = FileChannel.open(spool, StandardOpenOption.WRITE);
      }
      channel.truncate(0);
    } catch (IOException e) {
      failed = true;
      log.warn("cannot free the output spool {} past the cap: {}", spool, e.toString());
    }
  }

  /** Closes the channel; the reader is done with the file (or was given up on). */
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
}
