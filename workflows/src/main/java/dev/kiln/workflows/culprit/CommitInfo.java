package dev.kiln.workflows.culprit;

/**
 * One commit of a bisected range, as the culprit is named: its full sha, its author ({@code Name
 * <email>}) and the first line of its message.
 */
public record CommitInfo(String sha, String author, String subject) {}
