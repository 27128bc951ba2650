package dev.kiln.api.repos;

/**
 * The supersede policy of the branches a pattern matches.
 *
 * @param branches a {@link BranchPatterns} pattern
 * @param policy {@code cancel-running}, {@code replace-pending} or {@code queue}
 */
public record BranchPolicy(String branches, String policy) {}
