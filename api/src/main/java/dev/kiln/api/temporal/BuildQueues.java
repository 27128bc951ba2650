package dev.kiln.api.temporal;

import java.util.Optional;

/** What Temporal knows about the architectures' shared build queues. */
public interface BuildQueues {

  /**
   * How many workers poll {@code kiln-build-<arch>} (Temporal counts those seen in the last few
   * minutes). Best effort and quick: empty when Temporal did not answer in time or could not say;
   * never throws.
   */
  Optional<Integer> pollerCount(String arch);

  /** Whether any worker polls {@code kiln-build-<arch>} right now; empty when unknown. */
  default Optional<Boolean> hasPollers(String arch) {
    return pollerCount(arch).map(count -> count > 0);
  }
}
