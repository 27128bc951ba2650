package dev.kiln.activities.process;

/**
 * Receives a command's output (stdout and stderr merged, as a terminal would show them) as raw
 * bytes. Bytes are not decoded or split into lines: a chunk may end mid-line or mid-character.
 *
 * <p>The runner calls a sink from one thread at a time, in order, never concurrently, and not from
 * the thread that reads the output: the output goes through a relay process into a spool file, so
 * the command never waits for the sink; a sink that falls 64 MiB behind only makes the reader wait.
 * A sink should not block for long and should not throw: if it throws, the runner logs the error
 * and stops forwarding, and the command still runs to its end.
 */
@FunctionalInterface
public interface OutputSink {

  /** The next {@code len} bytes of output, in {@code buf} from {@code off}. */
  void write(byte[] buf, int off, int len);

  /**
   * Called once, right after the last forwarded byte, when the output reaches {@link
   * ProcessConfig#maxOutputBytes()}. Later output is read and dropped, so the command keeps
   * running. A log writer says here where the log was cut.
   *
   * @param keptBytes how many bytes were forwarded (the cap)
   */
  default void truncated(long keptBytes) {}

  /**
   * Called once when the runner stops reading, after the last {@link #write}: the output ended, or
   * the runner gave up on a pipe held open by a process that escaped the group. A good place to
   * flush.
   *
   * @param totalBytes every byte read from the command
   * @param droppedBytes how many of those were past the cap and not forwarded
   */
  default void finished(long totalBytes, long droppedBytes) {}

  /** A sink that discards everything. */
  static OutputSink discard() {
    return (buf, off, len) -> {};
  }
}
