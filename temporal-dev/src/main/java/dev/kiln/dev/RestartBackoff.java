package dev.kiln.dev;

import java.time.Duration;
import java.util.Optional;

/**
 * When to restart a child process that died, and when to stop trying: exponential backoff from
 * {@link Policy#initial} to {@link Policy#max}, counting the failures in a row that came within
 * {@link Policy#stableAfter} of a start. A child that stayed up that long starts the count afresh;
 * one that keeps dying at once is given up after {@link Policy#maxRestartsInARow} restarts, so a
 * broken installation ends the stack with its reason instead of restarting forever.
 */
final class RestartBackoff {

  /**
   * @param initial the wait before the first restart in a row
   * @param max the longest wait, however many failures came before
   * @param maxRestartsInARow restarts tried before the next quick failure gives up
   * @param stableAfter how long a child must stay up for its exit to count as a fresh start
   */
  record Policy(Duration initial, Duration max, int maxRestartsInARow, Duration stableAfter) {}

  /**
   * The dev stack's: the first restart after 250 ms (a Temporal server back within a few seconds
   * keeps the runs' 5 s heartbeat timeout from firing), at most 15 s apart, five tries.
   */
  static final Policy DEV_STACK =
      new Policy(Duration.ofMillis(250), Duration.ofSeconds(15), 5, Duration.ofSeconds(60));

  private final Policy policy;
  private int failuresInARow;

  RestartBackoff(Policy policy) {
    this.policy = policy;
  }

  /**
   * The child ended (or a restart of it failed) after running for {@code upFor} ({@link
   * Duration#ZERO} for a failed restart).
   *
   * @return how long to wait before the next restart; empty to give up
   */
  Optional<Duration> afterFailure(Duration upFor) {
    if (upFor.compareTo(policy.stableAfter()) >= 0) {
      failuresInARow = 0;
    }
    failuresInARow++;
    if (failuresInARow > policy.maxRestartsInARow()) {
      return Optional.empty();
    }
    Duration delay = policy.initial();
    for (int i = 1; i < failuresInARow && delay.compareTo(policy.max()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return Optional.of(delay.compareTo(policy.max()) > 0 ? policy.max() : delay);
  }

  /** Failures since the child last stayed up for {@link Policy#stableAfter}. */
  int failuresInARow() {
    return failuresInARow;
  }

  Policy policy() {
    return policy;
  }
}
