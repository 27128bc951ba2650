package dev.kiln.api.logs;

import java.time.Instant;

/** The data of the events on {@code GET /runs/{id}/logs} as {@code text/event-stream}. */
final class LogEvents {

  static final String LOG = "log";
  static final String PHASE = "phase";
  static final String END = "end";

  private LogEvents() {}

  /**
   * Event {@code log}; its SSE id is {@code seq}.
   *
   * @param text the chunk's bytes as UTF-8, ANSI escapes kept; a character cut at the end of the
   *     chunk is sent with the step's next chunk
   */
  record Log(long seq, String step, Instant ts, String text) {}

  /** Event {@code phase}: the run's current phase; first on every stream, then on each change. */
  record Phase(String phase) {}

  /**
   * Event {@code end}, the last one: the run has a terminal result.
   *
   * @param logBytesDropped bytes of output the per-run log cap refused (0 when under the cap)
   */
  record End(String result, String failureSummary, long logBytesDropped) {}
}
