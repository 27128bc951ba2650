/**
 * The process runner: runs one build command in its own process group with a scrubbed environment,
 * streams its output, and kills the whole group on cancel, timeout or crash recovery. Plain Java,
 * no Temporal: the build activities adapt it ({@code run(tick, interval)} heartbeats).
 */
package dev.kiln.activities.process;
