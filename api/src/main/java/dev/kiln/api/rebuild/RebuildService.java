package dev.kiln.api.rebuild;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.temporal.BuildQueues;
import dev.kiln.api.temporal.PublicUrl;
import dev.kiln.api.temporal.RebuildStarter;
import dev.kiln.api.temporal.TemporalLinks;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.Durations;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Records a run, then starts its workflow. The row is committed first because the workflow's ledger
 * activities report on it; there is deliberately no transaction around the Temporal call.
 */
@Service
public class RebuildService {

  private static final Logger log = LoggerFactory.getLogger(RebuildService.class);

  /** Inserting loses to a concurrent request with the same key at most this often in a row. */
  private static final int INSERT_ATTEMPTS = 3;

  private final RunRepository runs;
  private final RebuildStarter starter;
  private final TemporalLinks links;
  private final BuildQueues buildQueues;
  private final PublicUrl publicUrl;
  private final Duration noWorkerTimeout;

  private final BuildMetrics metrics;
  private final RepoStore repos;

  public RebuildService(
      RunRepository runs,
      RebuildStarter starter,
      TemporalLinks links,
      BuildQueues buildQueues,
      PublicUrl publicUrl,
      KilnProperties properties,
      BuildMetrics metrics,
      RepoStore repos) {
    this.metrics = metrics;
    this.repos = repos;
    this.runs = runs;
    this.starter = starter;
    this.links = links;
    this.buildQueues = buildQueues;
    this.publicUrl = publicUrl;
    this.noWorkerTimeout = properties.dispatch().noWorkerTimeout();
  }

  /**
   * @param accepted the answer
   * @param replayed true when an earlier request with the same idempotency key made the run
   */
  public record Outcome(RebuildAccepted accepted, boolean replayed) {}

  /**
   * @param triggeredBy the caller's name, recorded as the run's {@code triggered_by}
   */
  public Outcome rebuild(NewRun request, String triggeredBy) {
    return rebuild(request, triggeredBy, runId -> {});
  }

  /**
   * As {@link #rebuild(NewRun, String)}, with {@code beforeStart} given the new run's id once it is
   * recorded and before its workflow starts (a submission puts its upload in place there). If it
   * throws, the run ends {@code failed} without starting and the exception goes to the caller.
   */
  public Outcome rebuild(NewRun request, String triggeredBy, LongConsumer beforeStart) {
    for (int attempt = 1; attempt <= INSERT_ATTEMPTS; attempt++) {
      Optional<RunRecord> earlier = earlierRun(request);
      if (earlier.isPresent()) {
        return new Outcome(accepted(earlier.get().id(), earlier.get().lane(), null), true);
      }
      Optional<Long> id = runs.insert(request, triggeredBy);
      if (id.isPresent()) {
        prepare(id.get(), beforeStart);
        return new Outcome(start(id.get(), request), false);
      }
      // another request with this key inserted between our lookup and our insert: read its run
    }
    throw new IllegalStateException(
        "could not insert or find the run for Idempotency-Key " + request.idempotencyKey());
  }

  private void prepare(long runId, LongConsumer beforeStart) {
    try {
      beforeStart.accept(runId);
    } catch (RuntimeException e) {
      log.error("run {} could not be prepared: {}", runId, e.toString(), e);
      if (runs.failToStart(runId, "could not start: " + e.getMessage())) {
        runs.find(runId).ifPresent(metrics::runEnded);
      }
      throw e;
    }
  }

  private Optional<RunRecord> earlierRun(NewRun request) {
    if (request.idempotencyKey() == null) {
      return Optional.empty();
    }
    Optional<RunRecord> earlier = runs.findByIdempotencyKey(request.idempotencyKey());
    earlier.ifPresent(
        run -> {
          if (!request.sameRequestAs(run)) {
            throw ApiException.unprocessable(
                    "Idempotency-Key \""
                        + request.idempotencyKey()
                        + "\" was already used for a different request (run "
                        + run.id()
                        + ")")
                .with("run_id", run.id());
          }
        });
    return earlier;
  }

  /**
   * Starts the workflow of a run the caller recorded itself ({@link RunRepository#insert}), in a
   * transaction of its own that has committed: the workflow's ledger reports on the row.
   *
   * @throws ApiException 503 when Temporal did not take it; the run is then recorded failed
   */
  public RebuildAccepted startRecorded(long runId, NewRun request) {
    return start(runId, request);
  }

  private RebuildAccepted start(long runId, NewRun request) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", Long.toString(runId))) {
      String workflowId = RebuildWorkflow.workflowId(runId);
      RebuildRequest workflowRequest =
          new RebuildRequest(
              runId,
              request.repo(),
              request.ref(),
              request.arch(),
              request.mr(),
              request.priority().wireName(),
              request.target(),
              request.args(),
              noWorkerTimeout.toSeconds(),
              request.policy().wireName(),
              request.requires(),
              fairnessWeight(request.repo()));
      try {
        String temporalRunId =
            starter.start(workflowRequest, laneOf(request), publicUrl.run(runId));
        if (temporalRunId != null) {
          runs.recordStarted(runId, temporalRunId);
        }
      } catch (RebuildStarter.StartFailedException e) {
        log.error("run {} could not start: {}", runId, e.getMessage(), e.getCause());
        if (runs.failToStart(runId, "could not start: " + e.getMessage())) {
          runs.find(runId).ifPresent(metrics::runEnded);
        }
        throw new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "could not start run " + runId + ": " + e.getMessage())
            .with("run_id", runId);
      }
      log.info("run {} queued in lane {} as {}", runId, LogSafe.escape(request.lane()), workflowId);
      String warning =
          warning(request.arch(), buildQueues.hasPollers(request.arch()), noWorkerTimeout);
      if (warning != null) {
        log.warn("run {}: {}", runId, warning);
      }
      return accepted(runId, request.lane(), warning);
    }
  }

  /**
   * The share of the build queue the repository's registration gives its runs against other
   * repositories' ({@link dev.kiln.workflows.FairQueues}); the default for one not registered.
   */
  private double fairnessWeight(String repo) {
    return repos
        .findByUrl(List.of(repo))
        .map(RegisteredRepo::fairnessWeight)
        .orElse(dev.kiln.workflows.FairQueues.DEFAULT_WEIGHT);
  }

  /**
   * The lane that runs this build, or {@code null} for a run that must not supersede or be
   * superseded: {@code supersede: false}, or a bare commit with no branch to follow.
   */
  private static String laneOf(NewRun request) {
    return buildsInLane(
            request.supersede(), request.repo(), request.ref(), request.arch(), request.lane())
        ? request.lane()
        : null;
  }

  /**
   * Whether a run with these settings was handed to its lane workflow (and is cancelled through
   * it), rather than started directly as {@code kiln-run-<id>}. A bare commit builds in a lane only
   * when a forge event put it in its branch's or merge request's lane: then the lane is not the
   * commit's own.
   */
  public static boolean buildsInLane(
      boolean supersede, String repo, String ref, String arch, String lane) {
    return supersede && (!Lanes.isBareSha(ref) || !Lanes.of(repo, ref, arch).equals(lane));
  }

  /**
   * The {@code warning} of the 202 body: set only when Temporal said that nobody polls the
   * architecture's build queue; an unknown answer is no warning.
   */
  static String warning(String arch, Optional<Boolean> hasPollers, Duration noWorkerTimeout) {
    if (hasPollers.isEmpty() || hasPollers.get()) {
      return null;
    }
    String text = "no worker polls " + TaskQueues.build(arch) + " right now; ";
    return noWorkerTimeout.isZero()
        ? text + "the run waits until one comes"
        : text + "the run fails if none comes within " + Durations.format(noWorkerTimeout);
  }

  private RebuildAccepted accepted(long runId, String lane, String warning) {
    return new RebuildAccepted(
        runId,
        lane,
        RebuildWorkflow.workflowId(runId),
        ApiPaths.run(runId),
        ApiPaths.runLogs(runId),
        links.run(runId),
        warning);
  }
}
