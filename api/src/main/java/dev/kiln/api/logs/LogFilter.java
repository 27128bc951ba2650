package dev.kiln.api.logs;

/**
 * Which part of a log to read.
 *
 * @param step only chunks of this step, or all when {@code null}
 * @param afterSeq only chunks with a larger sequence number; {@code -1} for all
 */
public record LogFilter(String step, long afterSeq) {

  public static LogFilter all() {
    return new LogFilter(null, -1);
  }
}
