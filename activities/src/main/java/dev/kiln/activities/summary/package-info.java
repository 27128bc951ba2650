/**
 * Failure summaries: the one line of at most 600 characters that tells a developer why a run
 * failed, without opening the log. The first compile error from the build output, test totals and
 * first failing tests from JUnit XML reports, or the last error lines of a gate's output. Plain
 * Java, no Temporal.
 */
package dev.kiln.activities.summary;
