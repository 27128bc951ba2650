package dev.kiln.api.artifacts;

import java.time.Instant;

/**
 * One row of {@code artifacts}.
 *
 * @param path relative to the workspace, with {@code /} separators
 * @param storageKey relative to the artifact store's root
 */
public record StoredArtifact(
    long runId, String path, long size, String sha256, String storageKey, Instant createdAt) {}
