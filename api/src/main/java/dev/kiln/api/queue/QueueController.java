package dev.kiln.api.queue;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiPaths;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class QueueController {

  private final QueueService queue;
  private final Access access;

  QueueController(QueueService queue, Access access) {
    this.queue = queue;
    this.access = access;
  }

  /**
   * Per architecture: queued, building, workers polling, free slots, oldest queued wait, and the
   * waiting runs of the repositories the caller may read (their positions count every run).
   */
  @GetMapping(ApiPaths.QUEUE_STATUS)
  @RequiresScope(Scope.READ)
  QueueStatus status() {
    Caller caller = access.caller();
    return new QueueStatus(
        queue.status().archs().stream()
            .map(
                arch ->
                    new ArchQueueStatus(
                        arch.arch(),
                        arch.queued(),
                        arch.building(),
                        arch.workersPolling(),
                        arch.workersPollingUnknown(),
                        arch.freeSlots(),
                        arch.hosts(),
                        arch.hostsPausedForResources(),
                        arch.oldestQueuedWaitS(),
                        arch.oldestQueuedRunId(),
                        arch.waiting().stream()
                            .filter(run -> caller.mayAccess(run.repo()))
                            .toList()))
            .toList());
  }
}
