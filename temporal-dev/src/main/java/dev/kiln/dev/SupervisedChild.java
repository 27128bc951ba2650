package dev.kiln.dev;

import java.util.concurrent.CompletableFuture;

/** A server process the dev stack started and restarts on the same data when it dies. */
interface SupervisedChild {

  /** For the log: "the Temporal dev server", "PostgreSQL". */
  String name();

  /** Completes when the running incarnation ends, with how it ended ("killed by SIGKILL"). */
  CompletableFuture<String> exited();

  /**
   * Starts a new incarnation on the same ports and files and returns once it serves.
   *
   * @throws RuntimeException when it does not get there; nothing of the attempt is left running
   */
  void restart();

  /** What the child last wrote, to explain a failure; empty when there is nothing useful. */
  default String recentOutput() {
    return "";
  }
}
