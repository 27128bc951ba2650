package dev.kiln.api.workers;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.queue.BuildHostRepository;
import dev.kiln.api.queue.QueueService;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.LogSafe;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /workers}: every build host that ever reported, live or lost; {@code PUT|DELETE
 * /workers/{host}/drain}: ask the worker process now reporting as that host to stop taking builds,
 * finish what it runs and exit, or not to. The worker hears of it in the answer to its next report
 * (every 2 s).
 */
@RestController
class WorkersController {

  private static final Logger log = LoggerFactory.getLogger(WorkersController.class);

  private final BuildHostRepository hosts;

  WorkersController(BuildHostRepository hosts) {
    this.hosts = hosts;
  }

  /** The list, by host name. */
  record Workers(List<WorkerView> workers) {}

  @GetMapping(ApiPaths.WORKERS)
  @RequiresScope(Scope.READ)
  Workers list() {
    return new Workers(
        hosts.all(QueueService.HOST_FRESHNESS).stream().map(WorkerView::of).toList());
  }

  @PutMapping(ApiPaths.WORKER_DRAIN)
  @RequiresScope(Scope.ADMIN)
  WorkerView drain(@PathVariable String host) {
    return askToDrain(host, true);
  }

  @DeleteMapping(ApiPaths.WORKER_DRAIN)
  @RequiresScope(Scope.ADMIN)
  WorkerView undrain(@PathVariable String host) {
    return askToDrain(host, false);
  }

  private WorkerView askToDrain(String host, boolean drain) {
    if (!hosts.askToDrain(host, drain)) {
      throw ApiException.notFound("no worker \"" + LogSafe.escape(host) + "\" ever reported");
    }
    log.info("worker {}: drain {}", LogSafe.escape(host), drain ? "asked" : "withdrawn");
    return hosts
        .find(host, QueueService.HOST_FRESHNESS)
        .map(WorkerView::of)
        .orElseThrow(() -> ApiException.notFound("no worker \"" + LogSafe.escape(host) + "\""));
  }
}
