package dev.kiln.api.queue;

import java.util.List;

/** {@code GET /build-jobs/queue/status}: every architecture runs may ask for, in config order. */
public record QueueStatus(List<ArchQueueStatus> archs) {}
