package dev.kiln.activities.logs;

import java.time.Instant;

/**
 * A piece of a run's log. {@code seq} is unique within the run (see {@code LogSequences}); {@code
 * offset} is the byte offset of {@code data} within its step attempt's output.
 */
public record LogChunk(long runId, long seq, String step, long offset, Instant ts, byte[] data) {}
