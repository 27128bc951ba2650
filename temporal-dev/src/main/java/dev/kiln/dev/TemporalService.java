package dev.kiln.dev;

import java.util.Optional;

/**
 * The Temporal server the api and the worker talk to, whichever kind the dev stack ended up with.
 */
interface TemporalService extends AutoCloseable {

  /** The namespace Kiln uses; the dev server always creates it. */
  String NAMESPACE = "default";

  /** gRPC target, {@code host:port}. */
  String address();

  /** The Web UI, when there is one. */
  Optional<String> uiUrl();

  /** One line for the console: what kind of server, and whether runs survive a restart. */
  String description();

  /**
   * Returns once the server answers and Kiln's search attributes are registered.
   *
   * @throws IllegalStateException when it does not get there
   */
  void awaitReady();

  /** A server the dev stack started as a child process, to restart when it dies; else empty. */
  default Optional<SupervisedChild> supervised() {
    return Optional.empty();
  }

  /** Stops the server if the dev stack started it; idempotent. */
  @Override
  void close();
}
