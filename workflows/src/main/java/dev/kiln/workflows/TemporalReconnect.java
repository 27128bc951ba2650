package dev.kiln.workflows;

import java.time.Duration;

/**
 * How soon the api and the workers reconnect to a Temporal server that was away. gRPC backs off
 * reconnecting (1 s, then 1.6 times longer each time, up to two minutes), so a server that restarts
 * in two seconds could otherwise wait several more for its clients; meanwhile running activities
 * cannot heartbeat, and a run whose heartbeat timeout (5 s) passes restarts from fetch. Resetting
 * the backoff every second makes a client try again within a second of the server's return.
 */
public final class TemporalReconnect {

  /** For {@code WorkflowServiceStubsOptions.Builder#setConnectionBackoffResetFrequency}. */
  public static final Duration BACKOFF_RESET = Duration.ofSeconds(1);

  private TemporalReconnect() {}
}
