package dev.kiln.api.queue;

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
  QueueStatus status() {
    return queue.status();
  }
}
