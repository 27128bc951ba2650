package dev.kiln.workflows.activities;

/** A staged file, stored by the api. {@code path} is relative to the workspace. */
public record ArtifactRecord(String path, long size, String sha256) {}
