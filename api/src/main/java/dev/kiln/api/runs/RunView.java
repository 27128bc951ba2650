package dev.kiln.api.runs;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kiln.api.culprit.BisectView;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /runs/{id}}: what {@code GET /runs} lists of a run ({@link RunSummary}, written in the
 * same object, not nested), its gates and artifacts, plus {@code waiting_reason}: why a queued run
 * waits ("waiting for a free slot on x86_64: 2 builds ahead", "no worker polls
 * kiln-build-riscv64"), null unless the run is queued; and where it runs: {@code host} (the host of
 * its latest attempt, once fetched) and {@code restarts}, one entry each time it started over
 * because its host was lost; who asked for it: {@code triggered_by}, the name of the API token that
 * started it ({@code loopback} on the dev stack without one), as {@code cancelled_by} names the one
 * that cancelled it; how its steps were isolated: {@code sandbox} ({@code bwrap}, or {@code none}
 * where the build host runs builds without isolation; null until a step started) and {@code
 * limits}; {@code steps}, what each step used; and {@code retention}, set once retention ({@code
 * kiln.retention}) removed the run's logs and artifacts; {@code notifications}, each notification
 * of its start and end to its repository's targets, with its state and attempts; {@code retries},
 * the runs that retry this one, by a caller or automatically; {@code queue_position}, while the run
 * is queued, where it is on its build queue (1: a host takes it next), as Temporal orders the
 * queue: by priority, then fairly among repositories; {@code bisect_of}, {@code bisect} and {@code
 * culprit} ({@link BisectView}), what the culprit finder did; {@code timeline}, each step it ran
 * (fetch, compile, stage, each gate) in order with its status, times and commands ({@link
 * StepTimeline}), as the run page shows them.
 */
public record RunView(
    @JsonUnwrapped RunSummary run,
    String waitingReason,
    List<Gate> gates,
    List<Artifact> artifacts,
    String host,
    List<Restart> restarts,
    String triggeredBy,
    String sandbox,
    Limits limits,
    List<StepUsage> steps,
    Retention retention,
    List<Notification> notifications,
    List<Retry> retries,
    Integer queuePosition,
    @JsonUnwrapped BisectView bisection,
    List<Step> timeline) {

  public RunView {
    timeline = timeline == null ? List.of() : List.copyOf(timeline);
  }

  /** A view without the runs that retry it, of a run that is not queued, without bisection. */
  public RunView(
      RunSummary run,
      String waitingReason,
      List<Gate> gates,
      List<Artifact> artifacts,
      String host,
      List<Restart> restarts,
      String triggeredBy,
      String sandbox,
      Limits limits,
      List<StepUsage> steps,
      Retention retention,
      List<Notification> notifications) {
    this(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        notifications,
        List.of());
  }

  /** A view without the runs that retry it, of a run that is not queued, without bisection. */
  public RunView(
      RunSummary run,
      String waitingReason,
      List<Gate> gates,
      List<Artifact> artifacts,
      String host,
      List<Restart> restarts,
      String triggeredBy,
      String sandbox,
      Limits limits,
      List<StepUsage> steps,
      Retention retention,
      List<Notification> notifications,
      List<Step> timeline) {
    this(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        notifications,
        List.of(),
        null,
        BisectView.NONE,
        timeline);
  }

  /** A view without notifications, as a finished run's cached view is kept. */
  public RunView(
      RunSummary run,
      String waitingReason,
      List<Gate> gates,
      List<Artifact> artifacts,
      String host,
      List<Restart> restarts,
      String triggeredBy,
      String sandbox,
      Limits limits,
      List<StepUsage> steps,
      Retention retention) {
    this(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        List.of());
  }

  /** This view with the run's notifications as they are now. */
  public RunView withNotifications(List<Notification> now) {
    return new RunView(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        List.copyOf(now),
        retries,
        queuePosition,
        bisection,
        timeline);
  }

  /** This view with the runs that retry it as they are now. */
  public RunView withRetries(List<Retry> now) {
    return new RunView(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        notifications,
        List.copyOf(now),
        queuePosition,
        bisection,
        timeline);
  }

  /** This view of a queued run, {@code position} on its build queue. */
  public RunView withQueuePosition(Integer position) {
    return new RunView(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        notifications,
        retries,
        position,
        bisection,
        timeline);
  }

  /** This view with the run's bisection as it is now. */
  public RunView withBisection(BisectView now) {
    return new RunView(
        run,
        waitingReason,
        gates,
        artifacts,
        host,
        restarts,
        triggeredBy,
        sandbox,
        limits,
        steps,
        retention,
        notifications,
        retries,
        queuePosition,
        now,
        timeline);
  }

  /**
   * A step the run ran, or a gate it has yet to run (or never will: {@code blocked}, {@code
   * skipped}).
   *
   * @param step {@code fetch}, {@code compile}, {@code stage}, {@code gate:<name>}
   * @param status {@code running}, {@code passed}, {@code failed}, {@code cancelled}, {@code
   *     aborted}, {@code interrupted} (its host was lost; the run started over), or a gate's status
   * @param startedAt its first log line, or the gate's start; {@code null} before it started
   * @param finishedAt its last log line, or the gate's end; {@code null} while it runs
   * @param durationMs from start to end
   * @param commands what it ran, each as the log's prompt line shows it ({@code make -j4})
   */
  public record Step(
      String step,
      String status,
      Instant startedAt,
      Instant finishedAt,
      Long durationMs,
      List<String> commands) {}

  /**
   * A run that retries this one.
   *
   * @param retriedBy {@code automatic}, or the caller of {@code POST /runs/{id}/retry}
   * @param result its result now
   * @param statusUrl its view: {@code /runs/{id}}
   */
  public record Retry(
      long runId, String retriedBy, String result, boolean flaky, String statusUrl) {}

  /**
   * A notification of the run's start or end to one of its repository's targets.
   *
   * @param target the target without its secret or token
   * @param event {@code started} or {@code ended}
   * @param state {@code pending} (being delivered, retried with backoff), {@code delivered} or
   *     {@code failed} (refused with a 4xx, or given up after the retry expiry)
   * @param posted the commit statuses the forge acknowledged, as {@code <context>=<state>}
   */
  public record Notification(
      NotifyTarget target,
      String event,
      String state,
      int attempts,
      String lastError,
      Instant lastAttemptAt,
      List<String> posted) {}

  /**
   * @param tests {@code null} when the gate produced no JUnit reports
   * @param logRef the gate's log: {@code /runs/{id}/logs?step=gate:<name>}
   * @param failures the first failing tests, at most {@value TestResultRepository#MAX_FAILURES}
   *     (all of them: {@code GET /runs/{id}/tests?status=failed})
   */
  public record Gate(
      String name,
      String status,
      boolean required,
      String summary,
      TestCounts tests,
      String logRef,
      List<Failure> failures) {

    public Gate {
      failures = failures == null ? List.of() : List.copyOf(failures);
    }

    /** A gate without failing tests listed. */
    public Gate(
        String name,
        String status,
        boolean required,
        String summary,
        TestCounts tests,
        String logRef) {
      this(name, status, required, summary, tests, logRef, List.of());
    }
  }

  /**
   * A failing test as its runner reported it.
   *
   * @param name as the summary names it ({@code CalcTest.adds}, {@code TestAdd}, {@code
   *     tests::adds})
   * @param suite its class, package or test target, when the runner has one
   * @param message its assertion or panic line
   * @param file where that is, workspace-relative where the runner says so
   * @param line 1-based
   */
  public record Failure(String name, String suite, String message, String file, Integer line) {}

  public record Artifact(String path, long size, String sha256) {}

  /**
   * @param note {@code restarted on <host>: previous host lost (<previous host>)}
   */
  public record Restart(
      int attempt, String host, String previousHost, String note, Instant restartedAt) {}

  /**
   * What a step used: its commands' highest peak memory and their CPU time together, {@code null}
   * where the host could not measure it.
   *
   * @param step {@code compile}, {@code gate:unit}
   */
  public record StepUsage(String step, Long peakMemoryBytes, Double cpuSeconds) {}

  /**
   * @param runId Temporal's run id of the workflow execution; {@code null} until it started
   */
  public record Temporal(String workflowId, String runId, String uiUrl) {}

  /**
   * Retention removed the run's logs and artifacts; everything else in the view is kept.
   *
   * @param keptFor the retention that applied: {@code 30d}, {@code 12h}, {@code 90s}
   * @param note says so in a sentence
   */
  public record Retention(Instant removedAt, String keptFor, String note) {

    static String format(java.time.Duration duration) {
      long seconds = duration.toSeconds();
      if (seconds % 86_400 == 0) {
        return seconds / 86_400 + "d";
      }
      return seconds % 3_600 == 0 ? seconds / 3_600 + "h" : seconds + "s";
    }
  }
}
