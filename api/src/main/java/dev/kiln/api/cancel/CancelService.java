package dev.kiln.api.cancel;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.runs.RunEndings;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunView;
import dev.kiln.api.runs.RunViews;
import dev.kiln.api.temporal.RunCanceller;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * {@code PUT /build-jobs/{id}/cancel}: records who asked, then asks Temporal. The run's workflow
 * writes the terminal {@code cancelled} once the build host has killed the process group and
 * cleaned the workspace; until then the run stays {@code building}.
 */
@Service
public class CancelService {

  private static final Logger log = LoggerFactory.getLogger(CancelService.class);

  /** Longest {@code cancelled_by}; a longer reason is refused, not cut. */
  public static final int CANCELLED_BY_MAX = 200;

  /** {@code cancelled_by} of a request without a reason. */
  public static final String DEFAULT_CANCELLED_BY = "api";

  /** What the api records when no workflow is left that could record the cancellation. */
  static final String NO_WORKFLOW_SUMMARY = "cancelled; no workflow was running for the run";

  private final RunRepository runs;
  private final RunViews views;
  private final RunCanceller canceller;
  private final RunEndings endings;
  private final Access access;
  private final BuildMetrics metrics;
  private final Notifier notifier;

  public CancelService(
      RunRepository runs,
      RunViews views,
      RunCanceller canceller,
      RunEndings endings,
      Access access,
      BuildMetrics metrics,
      Notifier notifier) {
    this.metrics = metrics;
    this.notifier = notifier;
    this.runs = runs;
    this.views = views;
    this.canceller = canceller;
    this.endings = endings;
    this.access = access;
  }

  /**
   * @return the run view after the request was recorded
   * @throws ApiException 404 unknown run, 403 a caller without {@code cancel} on the run's
   *     repository, 409 (with {@code result}) a run that already ended, 400 a reason that is too
   *     long, 503 Temporal unreachable (the request stays recorded; repeat it)
   */
  public RunView cancel(long runId, String reason) {
    Caller caller = access.require(Scope.CANCEL);
    String why = reason(reason);
    try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", Long.toString(runId))) {
      RunRecord run = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
      access.require(Scope.CANCEL, run.repo());
      // a token is who it is; only the dev stack's trusted loopback names itself
      String by = caller.isLoopback() ? (why == null ? DEFAULT_CANCELLED_BY : why) : caller.name();
      deliver(run, by, why);
      return views.view(runId);
    }
  }

  /**
   * Cancels a run on Kiln's own behalf, with no caller to check: a forge said its branch was
   * deleted or its merge request closed.
   *
   * @param by recorded as {@code cancelled_by}
   * @throws ApiException 409 for a run that already ended, 503 Temporal unreachable
   */
  public void cancelOnBehalfOfKiln(RunRecord run, String by) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", Long.toString(run.id()))) {
      deliver(run, by, by);
    }
  }

  /** Records the request, then asks Temporal. */
  private void deliver(RunRecord run, String by, String why) {
    // Recorded before Temporal hears of it: the terminal write may follow within milliseconds,
    // and nothing writes cancelled_by after it. A repeated request keeps the first one's.
    if (run.result().isTerminal() || !runs.requestCancel(run.id(), by)) {
      throw alreadyEnded(reread(run.id()));
    }
    metrics.cancelRequested(run.id());
    String lane =
        RebuildService.buildsInLane(run.supersede(), run.repo(), run.ref(), run.arch(), run.lane())
            ? run.lane()
            : null;
    RunCanceller.Delivery delivery;
    try {
      delivery = canceller.cancel(run.id(), lane);
    } catch (RunCanceller.CancelFailedException e) {
      log.error("run {}: cancel not delivered: {}", run.id(), e.getMessage(), e.getCause());
      throw new ApiException(
              HttpStatus.SERVICE_UNAVAILABLE,
              "could not cancel run " + run.id() + ": " + e.getMessage() + "; repeat the request")
          .with("run_id", run.id());
    }
    log.info(
        "run {}: cancel requested by \"{}\"{} via {}",
        run.id(),
        LogSafe.escape(by),
        why == null || why.equals(by) ? "" : " (\"" + LogSafe.escape(why) + "\")",
        delivery);
    if (delivery == RunCanceller.Delivery.NO_WORKFLOW) {
      // The workflow closed: either it wrote the run's result (then the run ended before this
      // request) or it was terminated without one, and nothing else ever will.
      RunRecord now = reread(run.id());
      if (now.result().isTerminal() && now.result() != Result.CANCELLED) {
        throw alreadyEnded(now);
      }
      // the same terminal write a workflow makes: open gates are closed too
      endings.finished(run.id(), Result.CANCELLED, NO_WORKFLOW_SUMMARY);
      notifier.runEnded(run.id());
    }
  }

  private RunRecord reread(long runId) {
    return runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
  }

  private static ApiException alreadyEnded(RunRecord run) {
    return ApiException.conflict("run " + run.id() + " already ended: " + run.result().wireName())
        .with("run_id", run.id())
        .with("result", run.result().wireName());
  }

  /** The reason as given, checked; {@code null} when there is none. */
  private static String reason(String reason) {
    if (reason == null || reason.isBlank()) {
      return null;
    }
    String trimmed = reason.strip();
    if (trimmed.codePointCount(0, trimmed.length()) > CANCELLED_BY_MAX) {
      throw ApiException.badRequest("reason: at most " + CANCELLED_BY_MAX + " characters");
    }
    if (trimmed.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.badRequest("reason: must not contain control characters");
    }
    return trimmed;
  }
}
