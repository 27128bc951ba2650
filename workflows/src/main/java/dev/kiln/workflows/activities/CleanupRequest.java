package dev.kiln.workflows.activities;

public record CleanupRequest(long runId, String workspace) {}
