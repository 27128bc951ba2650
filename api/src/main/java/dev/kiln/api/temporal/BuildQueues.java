package dev.kiln.api.temporal;

import java.util.Optional;

/** What Temporal knows about the architectures' shared build queues. */
public interface BuildQueues {

  /**
   * Whether any worker polls {@code kiln-build-<arch>} right now. Best effort and quick: empty when
   * Temporal did not answer in time or could not say; never throws.
   */
  Optional<Boolean> hasPollers(String arch);
}
