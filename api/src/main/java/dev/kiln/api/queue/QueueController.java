package dev.kiln.api.queue;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiPaths;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class QueueController {

  private final QueueService queue;

  QueueController(QueueService queue) {
    this.queue = queue;
  }

  /** Per architecture: queued, building, workers polling, free slots, oldest queued wait. */
  @GetMapping(ApiPaths.QUEUE_STATUS)
  @RequiresScope(Scope.READ)
  QueueStatus status() {
    return queue.status();
  }
}
