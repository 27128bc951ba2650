/**
 * {@code GET /build-jobs/queue/status} and why a queued run waits: the run ledger's queued runs,
 * the build hosts' capacity reports ({@code build_hosts}) and Temporal's pollers.
 */
package dev.kiln.api.queue;
