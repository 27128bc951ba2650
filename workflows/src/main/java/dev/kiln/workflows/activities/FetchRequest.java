package dev.kiln.workflows.activities;

/**
 * @param ref branch, tag, full or short sha; {@code null} for the default branch
 * @param logSeqBase first log sequence number this step may use (see {@code LogSequences})
 */
public record FetchRequest(long runId, String repo, String ref, String arch, long logSeqBase) {}
