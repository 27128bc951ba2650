package dev.kiln.api.queue;

import java.util.List;

/**
 * A run waiting on a build queue.
 *
 * @param requires the labels it requires: its build queue is its arch's and these labels'
 * @param position 1 for the run a host takes next from that queue
 */
public record WaitingRun(
    long runId, String repo, String priority, List<String> requires, int position) {}
