package dev.kiln.workflows.culprit;

/**
 * A lane that passed at {@code goodSha} (run {@code goodRunId}) and then failed at {@code badSha}
 * (run {@code failingRunId}): what the culprit finder bisects.
 */
public record CulpritRequest(
    long failingRunId,
    String repo,
    String arch,
    String lane,
    String goodSha,
    long goodRunId,
    String badSha) {}
