package dev.kiln.api.watch;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoChanged;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.workflows.Durations;
import dev.kiln.workflows.watch.WatchSchedule;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps one Temporal Schedule ({@link WatchSchedule}) per registered repository with a poll
 * interval, and none for any other: after every change of a registration, and for all of them when
 * the api starts (so schedules and the table agree again after a change Temporal missed). The work
 * is done on a thread of its own, in order: a registration is answered without waiting for
 * Temporal, and an unreachable Temporal only delays the schedules until the next change or start.
 */
@Component
class WatchSchedules {

  private static final Logger log = LoggerFactory.getLogger(WatchSchedules.class);

  private final ScheduleClient schedules;
  private final RepoStore repos;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "kiln-watch-schedules");
            thread.setDaemon(true);
            return thread;
          });

  WatchSchedules(WorkflowServiceStubs stubs, KilnProperties properties, RepoStore repos) {
    this.schedules =
        ScheduleClient.newInstance(
            stubs,
            ScheduleClientOptions.newBuilder()
                .setNamespace(properties.temporal().namespace())
                .setIdentity("kiln-api")
                .build());
    this.repos = repos;
  }

  @EventListener(ApplicationReadyEvent.class)
  void reconcileAtStart() {
    worker.execute(this::reconcileAll);
  }

  @EventListener
  void registrationChanged(RepoChanged changed) {
    worker.execute(() -> sync(changed.repoId()));
  }

  @PreDestroy
  void stop() {
    worker.shutdownNow();
  }

  private void sync(long repoId) {
    try {
      repos
          .find(repoId)
          .filter(repo -> repo.pollInterval() != null)
          .ifPresentOrElse(this::apply, () -> remove(repoId));
    } catch (RuntimeException e) {
      log.warn(
          "watcher: could not bring schedule {} in line with repository {} ({}); the api does"
              + " when it next starts",
          WatchSchedule.id(repoId),
          repoId,
          e.toString());
    }
  }

  private void reconcileAll() {
    try {
      List<RegisteredRepo> polled =
          repos.list().stream().filter(repo -> repo.pollInterval() != null).toList();
      polled.forEach(this::apply);
      Set<Long> wanted = polled.stream().map(RegisteredRepo::id).collect(Collectors.toSet());
      List<Long> stale =
          schedules
              .listSchedules()
              .map(ScheduleListDescription::getScheduleId)
              .map(WatchSchedule::repoIdOf)
              .filter(id -> id >= 0 && !wanted.contains(id))
              .toList();
      stale.forEach(this::remove);
      log.info(
          "watcher: {} repositories polled, schedules in line ({} stale removed)",
          polled.size(),
          stale.size());
    } catch (RuntimeException e) {
      log.warn(
          "watcher: could not bring the schedules in line with the registered repositories ({});"
              + " the api tries again when it next starts or a registration changes",
          e.toString());
    }
  }

  private void apply(RegisteredRepo repo) {
    boolean created = WatchSchedule.apply(schedules, repo.id(), repo.url(), repo.pollInterval());
    log.info(
        "watcher: schedule {} {} (every {})",
        WatchSchedule.id(repo.id()),
        created ? "created" : "updated",
        Durations.format(repo.pollInterval()));
  }

  private void remove(long repoId) {
    try {
      schedules.getHandle(WatchSchedule.id(repoId)).delete();
      log.info("watcher: schedule {} deleted", WatchSchedule.id(repoId));
    } catch (RuntimeException e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  }

  private static boolean isNotFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException grpc
          && grpc.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }
}
