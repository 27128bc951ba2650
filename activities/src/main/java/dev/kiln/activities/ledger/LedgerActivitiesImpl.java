package dev.kiln.activities.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.plan.GateSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reports run progress to the api. Failures propagate so Temporal retries them: the api's endpoints
 * are idempotent and the workflow keeps trying until the api is back.
 */
public class LedgerActivitiesImpl implements LedgerActivities {

  private final KilnApiClient api;

  public LedgerActivitiesImpl(KilnApiClient api) {
    this.api = api;
  }

  /**
   * The workflow reports {@code fetching} when it schedules the fetch, but the run then waits in
   * Temporal's queue until a worker has a free build slot: the ledger says {@code queued} until the
   * host that starts the fetch reports {@code fetching} itself ({@code ApiFetchStarts}). A run
   * restarted after a lost host is queued again.
   */
  @Override
  public void phaseChanged(long runId, Phase phase) {
    Phase reported = phase == Phase.FETCHING ? Phase.QUEUED : phase;
    api.post(run(runId) + "/phase", Map.of("phase", reported.wireName()));
  }

  @Override
  public void resolved(RunResolved resolved) {
    Map<String, Object> body = new HashMap<>();
    body.put("sha", resolved.sha());
    body.put("branch", resolved.branch());
    body.put("version", resolved.version());
    body.put("host", resolved.host());
    body.put("plan_origin", resolved.planOrigin());
    body.put("gates", gates(resolved.gates()));
    api.post(run(resolved.runId()) + "/resolved", body);
  }

  @Override
  public void gateChanged(long runId, GateUpdate update) {
    Map<String, Object> body = new HashMap<>();
    body.put("status", update.status().wireName());
    body.put("summary", update.summary());
    body.put("tests", tests(update.tests()));
    api.post(run(runId) + "/gates/" + update.name(), body);
  }

  @Override
  public void restarted(RunRestart restart) {
    Map<String, Object> body = new HashMap<>();
    body.put("attempt", restart.attempt());
    body.put("host", restart.host());
    body.put("previous_host", restart.previousHost());
    body.put("log_seq", restart.logSeq());
    api.post(run(restart.runId()) + "/restarted", body);
  }

  @Override
  public boolean finished(long runId, Result result, String failureSummary) {
    Map<String, Object> body = new HashMap<>();
    body.put("result", result.wireName());
    body.put("failure_summary", failureSummary);
    JsonNode answer = api.post(run(runId) + "/finish", body);
    return answer != null && answer.path("applied").asBoolean(false);
  }

  @Override
  public boolean superseded(long runId, long byRunId) {
    RunOutcome outcome = RunOutcome.superseded(byRunId);
    Map<String, Object> body = new HashMap<>();
    body.put("superseded_by", byRunId);
    body.put("failure_summary", outcome.failureSummary());
    JsonNode answer;
    try {
      answer = api.post(run(runId) + "/supersede", body);
    } catch (ApiRejectedException e) {
      if (e.status() != 404 && e.status() != 405) {
        throw e;
      }
      // An api that predates /supersede: record the result and summary, lose only superseded_by.
      // (An unknown run is a 404 too; /finish then answers 404 again and that propagates.)
      return finished(runId, outcome.result(), outcome.failureSummary());
    }
    return answer != null && answer.path("applied").asBoolean(false);
  }

  @Override
  public boolean archServed(String arch) {
    JsonNode answer =
        api.get("archs/" + URLEncoder.encode(arch, StandardCharsets.UTF_8) + "/served");
    // No answer is no proof that nobody serves it: a run is failed only on a clear "no".
    return answer == null || answer.path("served").asBoolean(true);
  }

  private static String run(long runId) {
    return "runs/" + runId;
  }

  private static List<Map<String, Object>> gates(List<GateSpec> gates) {
    return gates.stream()
        .map(g -> Map.<String, Object>of("name", g.name(), "required", g.required()))
        .toList();
  }

  private static Map<String, Object> tests(TestCounts counts) {
    if (counts == null) {
      return null;
    }
    return Map.of("total", counts.total(), "failed", counts.failed(), "skipped", counts.skipped());
  }
}
