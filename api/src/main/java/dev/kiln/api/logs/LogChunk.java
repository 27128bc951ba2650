package dev.kiln.api.logs;

import java.time.Instant;

/**
 * A piece of a run's log as the worker sent it: raw bytes (ANSI kept; may end mid UTF-8 sequence).
 *
 * @param seq orders chunks within the run; not dense
 * @param step which step wrote it: {@code fetch}, {@code compile}, {@code gate:unit}, …
 * @param offset the byte offset of the chunk within its step's output
 * @param createdAt when the worker produced it
 */
public record LogChunk(long seq, String step, long offset, byte[] data, Instant createdAt) {}
