package dev.kiln.api.cancel;

/**
 * The optional body of {@code PUT /build-jobs/{id}/cancel}.
 *
 * @param reason who or why, recorded as the run's {@code cancelled_by} (at most {@value
 *     CancelService#CANCELLED_BY_MAX} characters); {@code "api"} when absent or blank
 */
record CancelBody(String reason) {}
