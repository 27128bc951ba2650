/**
 * Failure summaries: the one line of at most 600 characters that tells a developer why a run
 * failed, without opening the log. The first compile error from the build output; test results from
 * report files (JUnit XML, Jest JSON) or from runners' output ({@code go test -json}, {@code cargo
 * test}), with each failing test's assertion and its location; or the last error lines of a gate's
 * output. Plain Java, no Temporal.
 */
package dev.kiln.activities.summary;
