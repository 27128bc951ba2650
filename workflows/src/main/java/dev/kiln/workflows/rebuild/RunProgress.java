package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.Phase;

/**
 * @param host the build host, once fetch ran
 * @param gate the gate running now, or {@code null}
 */
public record RunProgress(Phase phase, String sha, String host, String gate, int attempt) {}
