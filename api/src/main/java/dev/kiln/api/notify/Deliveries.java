package dev.kiln.api.notify;

import dev.kiln.api.notify.NotificationStore.Notification;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.GateRunRepository;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunViews;
import dev.kiln.api.temporal.PublicUrl;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * One delivery attempt of one notification: what the notification activity does, without Temporal.
 * It reads the target afresh (its current secret or token), sends what is still due and records the
 * attempt: {@code delivered}, or its error. A commit status the forge acknowledged is recorded at
 * once, so that the next attempt posts only the ones still missing.
 */
public class Deliveries {

  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

  private final NotificationStore store;
  private final RunRepository runs;
  private final GateRunRepository gates;
  private final RepoStore repos;
  private final RunViews views;
  private final PublicUrl links;
  private final OutboundHttp http;
  private final JsonMapper json;

  Deliveries(
      NotificationStore store,
      RunRepository runs,
      GateRunRepository gates,
      RepoStore repos,
      RunViews views,
      PublicUrl links,
      OutboundHttp http,
      JsonMapper json) {
    this.store = store;
    this.runs = runs;
    this.gates = gates;
    this.repos = repos;
    this.views = views;
    this.links = links;
    this.http = http;
    this.json = json;
  }

  /** The attempt failed, and another may succeed: a 5xx, a broken connection, a timeout. */
  static final class Retryable extends Exception {
    Retryable(String message) {
      super(message, null, false, false);
    }
  }

  /** The attempt failed, and so would any other: a 4xx, a target Kiln may not reach. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  void deliver(long runId, String targetKey, String event) throws Retryable, Refused {
    Notification notification =
        store.find(runId, targetKey, event).orElseThrow(() -> new Refused("no such notification"));
    if (!notification.state().equals(NotificationStore.PENDING)) {
      return; // delivered or given up already: a repeated workflow does nothing
    }
    store.attempting(runId, targetKey, event);
    try {
      RunRecord run = runs.find(runId).orElseThrow(() -> new Refused("the run is gone"));
      NotifyTarget target = currentTarget(run, targetKey);
      if (target.isWebhook()) {
        postWebhook(run, target, event);
      } else {
        postStatuses(run, target, event, notification.posted());
      }
      store.delivered(runId, targetKey, event);
      log.info("run {}: {} notification delivered to {}", runId, event, target.url());
    } catch (Refused e) {
      store.failed(runId, targetKey, event, e.getMessage());
      log.warn("run {}: {} notification refused: {}", runId, event, e.getMessage());
      throw e;
    } catch (Retryable e) {
      store.attemptFailed(runId, targetKey, event, e.getMessage());
      log.info("run {}: {} notification not delivered yet: {}", runId, event, e.getMessage());
      throw e;
    }
  }

  void giveUp(long runId, String targetKey, String event, String reason) {
    // a refusal marked it failed already; this is the end of the retries (their expiry)
    store.failed(runId, targetKey, event, reason);
  }

  private NotifyTarget currentTarget(RunRecord run, String targetKey) throws Refused {
    return repos.findByUrl(List.of(run.repo())).stream()
        .flatMap(repo -> repo.notifyTargets().stream())
        .filter(target -> target.key().equals(targetKey))
        .findFirst()
        .orElseThrow(() -> new Refused("the target is no longer registered"));
  }

  private void postWebhook(RunRecord run, NotifyTarget target, String event)
      throws Retryable, Refused {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", event);
    body.put("change", Notifier.laneChange(store, run).wireName());
    body.put("run_url", links.run(run.id()));
    // its own notifications change with every attempt: the body leaves them out
    body.put("run", views.view(run.id()).withNotifications(List.of()));
    byte[] bytes = json.writeValueAsBytes(body);
    send(
        target.url(),
        Map.of(
            WebhookSignature.HEADER,
            WebhookSignature.of(target.secret(), bytes),
            "X-Kiln-Event",
            "run." + event),
        bytes);
  }

  private void postStatuses(RunRecord run, NotifyTarget target, String event, List<String> posted)
      throws Retryable, Refused {
    if (run.sha() == null) {
      throw new Refused("the run has no commit: it ended before fetch resolved one");
    }
    for (CommitStatus status : statuses(run, event)) {
      if (posted.contains(status.postedKey())) {
        continue; // acknowledged in an earlier attempt
      }
      ForgeStatusRequests.Request request =
          ForgeStatusRequests.of(target, run.sha(), status, links.run(run.id()));
      send(request.url(), request.headers(), json.writeValueAsBytes(request.body()));
      store.posted(run.id(), target.key(), event, status.postedKey());
    }
  }

  private List<CommitStatus> statuses(RunRecord run, String event) {
    if (event.equals(Notifier.STARTED)) {
      if (run.result().isTerminal()) {
        // its end is posted (or being posted) already: a late pending must not overwrite it
        return List.of();
      }
      return StatusPlan.started(
          run.arch(), gates.findByRun(run.id()).stream().map(g -> g.name()).toList());
    }
    return StatusPlan.ended(
        new StatusPlan.Ended(
            run.arch(),
            run.result(),
            run.failureSummary(),
            run.supersededBy(),
            run.cancelledBy(),
            gates.findByRun(run.id()).stream()
                .map(g -> new StatusPlan.Gate(g.name(), g.status(), g.summary()))
                .toList()));
  }

  private void send(String url, Map<String, String> headers, byte[] body)
      throws Retryable, Refused {
    OutboundHttp.Answer answer;
    try {
      answer = http.postJson(url, headers, body);
    } catch (OutboundHttp.Refused e) {
      throw new Refused(e.getMessage());
    } catch (SocketTimeoutException e) {
      throw new Retryable("no answer within the timeout");
    } catch (IOException e) {
      throw new Retryable(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    int status = answer.status();
    if (status / 100 == 2) {
      return;
    }
    String error = "HTTP " + status + quoted(answer.body());
    if (status / 100 == 5) {
      throw new Retryable(error);
    }
    throw new Refused(status / 100 == 3 ? error + " (redirects are not followed)" : error);
  }

  private static String quoted(String body) {
    String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    return text.isEmpty() ? "" : ": " + text;
  }
}
