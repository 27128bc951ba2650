package dev.kiln.workflows.internal;

/**
 * Fencing of stale build attempts, the part both sides of {@code /internal} must agree on
 * (docs/internal-api.md, "Attempts and fencing").
 *
 * <p>A run's host attempt is a number the run's workflow keeps: 1 for the first host, 2 after the
 * first lost host, and so on. Every write a build host makes for a run carries the attempt it works
 * for in {@link #ATTEMPT_HEADER}. The api keeps the run's current attempt ({@code runs.attempt}):
 * the workflow raises it before it schedules a restarted attempt's fetch ({@code POST
 * /internal/runs/{id}/attempt}), and a write of a higher attempt raises it too. A write of a lower
 * attempt is refused with {@code 409} and the problem type {@link #STALE_ATTEMPT_TYPE}; the build
 * host that gets it kills what it still runs for that attempt and sends nothing more for it.
 */
public final class AttemptFencing {

  /** The request header naming the attempt a write is for: a positive integer. */
  public static final String ATTEMPT_HEADER = "X-Kiln-Attempt";

  /** The {@code type} of the {@code application/problem+json} answer to a stale write. */
  public static final String STALE_ATTEMPT_TYPE = "urn:kiln:problem:stale-attempt";

  private AttemptFencing() {}

  /** "stale attempt 1 of run 7: attempt 2 is current". */
  public static String staleDetail(long runId, int attempt, int current) {
    return "stale attempt " + attempt + " of run " + runId + ": attempt " + current + " is current";
  }
}
