/**
 * Fencing of stale build attempts (docs/internal-api.md, "Attempts and fencing"): the run's current
 * host attempt ({@code runs.attempt}), raised when a run starts over on another host, and the check
 * every write of a build host passes, in the write's own transaction, so that nothing a lost host
 * sends for its superseded attempt is stored once the new attempt has begun.
 */
package dev.kiln.api.fencing;
