package dev.kiln.workflows.watch;

/**
 * One poll of a registered repository.
 *
 * @param repoId the registration's id
 * @param url the registration's URL, which the poll lists
 * @param triggeredBy recorded as the {@code triggered_by} of the runs the poll starts
 */
public record WatchRequest(long repoId, String url, String triggeredBy) {}
