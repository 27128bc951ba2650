package dev.kiln.workflows;

/**
 * Allocates log chunk sequence numbers without coordination. The api stores chunks idempotently on
 * {@code (run_id, seq)}, so a retried upload never duplicates; for that, every step invocation (and
 * every retry attempt of it) must write into a range no other one uses. The workflow numbers its
 * step invocations; the activity adds its attempt. Sequence numbers therefore grow but are not
 * dense, which readers must not assume.
 */
public final class LogSequences {

  /** Room for the step invocations of a run, including restarts on another host. */
  public static final long STEP_SPAN = 1_000_000L;

  /**
   * Room for one attempt's chunks: at 64 KiB a chunk, 10 000 chunks hold 625 MiB, far past the
   * per-run log cap.
   */
  public static final long ATTEMPT_SPAN = 10_000L;

  private LogSequences() {}

  /** The first sequence number of the {@code stepIndex}-th step invocation (0-based). */
  public static long stepBase(int stepIndex) {
    return (stepIndex + 1) * STEP_SPAN;
  }

  /** The first sequence number for a Temporal attempt (1-based) of a step. */
  public static long attemptBase(long stepBase, int attempt) {
    int bounded = Math.max(1, Math.min(attempt, (int) (STEP_SPAN / ATTEMPT_SPAN)));
    return stepBase + (bounded - 1) * ATTEMPT_SPAN;
  }
}
