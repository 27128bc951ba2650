/**
 * Flaky runs and flaky tests: a retry that passed where the run it retries, of the same commit,
 * failed is marked flaky when it ends, and each test that failed there and passed in the retry is
 * counted for its repository ({@code GET /repos/{id}/flaky-tests}).
 */
package dev.kiln.api.flaky;
