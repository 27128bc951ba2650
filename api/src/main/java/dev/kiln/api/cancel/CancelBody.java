package dev.kiln.api.cancel;

/**
 * The optional body of {@code PUT /build-jobs/{id}/cancel}.
 *
 * @param reason why (at most {@value CancelService#CANCELLED_BY_MAX} characters), written to the
 *     api's log; a request with a token records the token's name as the run's {@code cancelled_by},
 *     one trusted without a token (the dev stack's loopback) records this reason there, or {@code
 *     "api"} when it is absent or blank
 */
record CancelBody(String reason) {}
