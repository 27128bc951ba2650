package dev.kiln.api.queue;

import java.util.List;

/**
 * One architecture in {@code GET /build-jobs/queue/status}.
 *
 * @param queued runs waiting for a worker to start their fetch
 * @param building runs past that (fetching to gating), until they end
 * @param workersPolling workers polling {@code kiln-build-<arch>}, as Temporal counts them (recent
 *     pollers, including hosts that stopped polling because all their slots are busy); null when
 *     Temporal did not answer, see {@code workersPollingUnknown}
 * @param workersPollingUnknown why {@code workersPolling} is null; null when it is known
 * @param freeSlots free build slots of the hosts serving the arch that reported in the last 15 s
 *     (hosts paused for CPU or memory count none; a host serving several archs counts under each)
 * @param hosts hosts serving the arch that reported in the last 15 s
 * @param hostsPausedForResources of those, the ones taking no build because of CPU or memory
 * @param oldestQueuedWaitS how long the longest-waiting run has waited; null when none waits
 * @param oldestQueuedRunId that run
 * @param waiting the first {@value QueueService#MAX_LISTED} waiting runs, the next first: each with
 *     its position on its build queue (the arch's, or the arch's and the labels it requires), as
 *     Temporal hands the queue out: by priority, then fairly among repositories
 */
public record ArchQueueStatus(
    String arch,
    int queued,
    int building,
    Integer workersPolling,
    String workersPollingUnknown,
    int freeSlots,
    int hosts,
    int hostsPausedForResources,
    Long oldestQueuedWaitS,
    Long oldestQueuedRunId,
    List<WaitingRun> waiting) {}
