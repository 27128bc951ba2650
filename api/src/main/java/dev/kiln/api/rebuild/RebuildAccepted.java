package dev.kiln.api.rebuild;

/**
 * The answer to {@code POST /rebuild}.
 *
 * @param statusUrl the run view to poll, also in {@code Location}
 * @param uiUrl the workflow in the Temporal Web UI
 */
public record RebuildAccepted(
    long runId, String lane, String workflowId, String statusUrl, String logsUrl, String uiUrl) {}
