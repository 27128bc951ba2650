package dev.kiln.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * A piece of a run's log, as a build host writes it, sends it ({@code POST
 * /internal/runs/{id}/logs}, docs/internal-api.md) and the api stores and serves it: raw bytes
 * (ANSI kept; may end mid UTF-8 sequence). The numbers are boxed because on the wire a missing one
 * must be told from 0; the api refuses a chunk without {@code seq} or {@code data}.
 *
 * @param seq orders chunks within the run, unique in it (see {@link LogSequences}); not dense
 * @param step which step wrote it: {@code fetch}, {@code compile}, {@code gate:unit}, …
 * @param offset the byte offset of {@code data} within its step attempt's output
 * @param ts when the worker produced it, RFC 3339 on the wire; null for the api's own lines
 * @param data the raw bytes, base64 on the wire
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LogChunk(Long seq, String step, Long offset, Instant ts, byte[] data) {}
