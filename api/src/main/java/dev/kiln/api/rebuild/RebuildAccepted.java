package dev.kiln.api.rebuild;

/**
 * The answer to {@code POST /rebuild}.
 *
 * @param statusUrl the run view to poll, also in {@code Location}
 * @param uiUrl the workflow in the Temporal Web UI
 * @param warning {@code null} when fine; otherwise something the client should know, such as that
 *     no worker serves the run's architecture right now
 */
public record RebuildAccepted(
    long runId,
    String lane,
    String workflowId,
    String statusUrl,
    String logsUrl,
    String uiUrl,
    String warning) {}
