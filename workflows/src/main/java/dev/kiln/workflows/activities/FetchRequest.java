package dev.kiln.workflows.activities;

/**
 * @param ref branch, tag, full or short sha; {@code null} for the default branch
 * @param logSeqBase first log sequence number this step may use (see {@code LogSequences})
 * @param attempt the run's host attempt this fetch starts (see {@link RunContext#attempt()}); 0 in
 *     a fetch scheduled before attempts were carried
 */
public record FetchRequest(
    long runId, String repo, String ref, String arch, long logSeqBase, int attempt) {}
