package dev.kiln.worker;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether this build host is draining, why, and until when: it takes no new build, lets the builds
 * it holds finish until {@code timeout} has passed, and is then drained. An operator's drain (the
 * api's answer to a report) can be withdrawn until then; SIGTERM cannot.
 */
final class HostDrain {

  /** Who asked. */
  enum Source {
    API,
    SIGNAL
  }

  /** What the host should do now. */
  enum Step {
    /** Take builds, or keep waiting for the running ones. */
    CARRY_ON,
    /** Nothing runs any more: drained. */
    DRAINED,
    /** The deadline passed with builds still running: stop them, as if the host were lost. */
    DEADLINE_PASSED
  }

  private final Duration timeout;
  private Source source;
  private Instant deadline;

  HostDrain(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Starts draining, unless already.
   *
   * @return whether it started now (the caller stops its pollers)
   */
  synchronized boolean start(Source by, Instant now) {
    if (source != null) {
      if (by == Source.SIGNAL) {
        source = Source.SIGNAL;
      }
      return false;
    }
    source = by;
    deadline = now.plus(timeout);
    return true;
  }

  /**
   * Withdraws an operator's drain.
   *
   * @return whether the host takes builds again (the caller restarts its pollers); not after
   *     SIGTERM
   */
  synchronized boolean withdraw() {
    if (source != Source.API) {
      return false;
    }
    source = null;
    deadline = null;
    return true;
  }

  synchronized boolean draining() {
    return source != null;
  }

  synchronized Source source() {
    return source;
  }

  synchronized Instant deadline() {
    return deadline;
  }

  /**
   * @param busy builds holding a slot (fetch to cleanup)
   */
  synchronized Step step(int busy, Instant now) {
    if (source == null) {
      return Step.CARRY_ON;
    }
    if (busy == 0) {
      return Step.DRAINED;
    }
    return now.isBefore(deadline) ? Step.CARRY_ON : Step.DEADLINE_PASSED;
  }
}
