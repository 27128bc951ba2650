package dev.kiln.api.internal;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.culprit.CulpritStarts;
import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.retry.AutomaticRetries;
import dev.kiln.api.runs.RunEndings;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.PlannedGate;
import dev.kiln.workflows.internal.InternalBodies.Resolved;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@WebMvcTest(InternalRunsController.class)
@Import(WebSliceConfig.class)
@ActiveProfiles("test")
class InternalRunsControllerTest {

  private static final String TOKEN = "Bearer test-token";

  @Autowired MockMvc mvc;
  @MockitoBean LedgerService ledger;
  @MockitoBean RunEndings endings;
  @MockitoBean Notifier notifier;
  @MockitoBean AutomaticRetries retries;
  @MockitoBean AttemptFence fence;

  @BeforeEach
  void fenceLetsWritesThrough() {
    when(fence.guarded(anyLong(), any(), anyString(), any()))
        .thenAnswer(call -> call.<Supplier<?>>getArgument(3).get());
  }

  @MockitoBean CulpritStarts culprits;

  private ResultActions postJson(String path, String json, String authorization) throws Exception {
    return postJson(path, json, authorization, null);
  }

  private ResultActions postJson(String path, String json, String authorization, String attempt)
      throws Exception {
    var request = post(path).contentType(MediaType.APPLICATION_JSON).content(json);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (attempt != null) {
      request.header(AttemptFencing.ATTEMPT_HEADER, attempt);
    }
    return mvc.perform(request);
  }

  private static ResultActions problem(ResultActions result, int status, String detail)
      throws Exception {
    return result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void refusesARequestWithoutTokenWith401() throws Exception {
    problem(
            postJson("/internal/runs/1/phase", "{\"phase\": \"fetching\"}", null),
            401,
            "missing bearer token: /internal needs 'Authorization: Bearer <kiln.internal.token>'")
        .andExpect(header().string("WWW-Authenticate", "Bearer realm=\"kiln-internal\""));
    verifyNoInteractions(ledger);
  }

  @Test
  void refusesAWrongTokenWith401() throws Exception {
    problem(
        postJson("/internal/runs/1/phase", "{\"phase\": \"fetching\"}", "Bearer test-tokem"),
        401,
        "invalid bearer token");
    verifyNoInteractions(ledger);
  }

  @Test
  void recordsAPhaseWith204() throws Exception {
    postJson("/internal/runs/1/phase", "{\"phase\": \"fetching\"}", TOKEN)
        .andExpect(status().isNoContent());
    verify(ledger).phaseChanged(1, Phase.FETCHING);
  }

  @Test
  void aPhaseFromABuildHostIsWrittenBehindTheFenceOfItsAttempt() throws Exception {
    postJson("/internal/runs/1/phase", "{\"phase\": \"fetching\"}", TOKEN, "2")
        .andExpect(status().isNoContent());
    verify(fence).guarded(eq(1L), eq(2), eq("phase"), any());
    verify(ledger).phaseChanged(1, Phase.FETCHING);
  }

  @Test
  void refusesAnUnknownPhase() throws Exception {
    problem(
        postJson("/internal/runs/1/phase", "{\"phase\": \"baking\"}", TOKEN),
        400,
        "phase: \"baking\" is not one of queued, fetching, compiling, staging, gating, done");
  }

  @Test
  void ignoresUnknownFieldsFromNewerWorkers() throws Exception {
    postJson(
            "/internal/runs/1/resolved",
            """
            {"sha": "9F1C2D3", "branch": "main", "version": "1.0", "host": "h1",
             "plan_origin": "kiln.yaml", "future_field": 1,
             "gates": [{"name": "unit", "required": true, "run": "make test"},
                       {"name": "lint", "required": false}]}
            """,
            TOKEN)
        .andExpect(status().isNoContent());
    verify(ledger)
        .resolved(
            1,
            new Resolved(
                "9f1c2d3",
                "main",
                "1.0",
                "h1",
                "kiln.yaml",
                List.of(new PlannedGate("unit", true), new PlannedGate("lint", false)),
                null));
  }

  @Test
  void aResolutionMayNameThePhaseTheRunEnters() throws Exception {
    postJson(
            "/internal/runs/1/resolved",
            "{\"sha\": \"abcdef1\", \"gates\": [], \"phase\": \"compiling\"}",
            TOKEN)
        .andExpect(status().isNoContent());
    verify(ledger)
        .resolved(1, new Resolved("abcdef1", null, null, null, null, List.of(), "compiling"));
  }

  @Test
  void refusesAResolutionEnteringAnUnknownPhase() throws Exception {
    problem(
        postJson(
            "/internal/runs/1/resolved",
            "{\"sha\": \"abcdef1\", \"gates\": [], \"phase\": \"baking\"}",
            TOKEN),
        400,
        "phase: \"baking\" is not one of queued, fetching, compiling, staging, gating, done");
  }

  @Test
  void refusesAGateListedTwice() throws Exception {
    problem(
        postJson(
            "/internal/runs/1/resolved",
            "{\"sha\": \"abcdef1\", \"gates\": [{\"name\": \"unit\"}, {\"name\": \"unit\"}]}",
            TOKEN),
        400,
        "gates: gate \"unit\" is listed twice");
  }

  @Test
  void recordsAGateResultWithTestCounts() throws Exception {
    postJson(
            "/internal/runs/1/gates/unit",
            "{\"status\": \"failed\", \"summary\": \"1 of 3 failed\","
                + " \"tests\": {\"total\": 3, \"failed\": 1, \"skipped\": 0}}",
            TOKEN)
        .andExpect(status().isNoContent());
    verify(ledger)
        .gateChanged(1, "unit", GateStatus.FAILED, "1 of 3 failed", new TestCounts(3, 1, 0));
  }

  @Test
  void refusesNegativeTestCounts() throws Exception {
    problem(
        postJson(
            "/internal/runs/1/gates/unit",
            "{\"status\": \"passed\", \"tests\": {\"total\": -1}}",
            TOKEN),
        400,
        "tests.total: must not be negative, got -1");
  }

  @Test
  void answersFinishWithWhetherItApplied() throws Exception {
    when(endings.finished(1, Result.PASSED, null)).thenReturn(true);
    when(endings.finished(1, Result.FAILED, "boom")).thenReturn(false);

    postJson("/internal/runs/1/finish", "{\"result\": \"passed\"}", TOKEN)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.applied").value(true));
    postJson(
            "/internal/runs/1/finish",
            "{\"result\": \"failed\", \"failure_summary\": \"boom\"}",
            TOKEN)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.applied").value(false));
    // a repeated report starts the notifications again: their workflow ids make that a no-op
    verify(notifier, org.mockito.Mockito.times(2)).runEnded(1);
    // and looks for the automatic retry again: one per run, whoever records it
    verify(retries, org.mockito.Mockito.times(2)).runEnded(1);
  }

  @Test
  void aSupersededRunsEndIsNotifiedToo() throws Exception {
    when(endings.superseded(3, 4)).thenReturn(true);

    postJson("/internal/runs/3/supersede", "{\"superseded_by\": 4}", TOKEN)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.applied").value(true));
    verify(notifier).runEnded(3);
  }

  @Test
  void aNotificationThatCannotStartMakesTheWorkerReportTheEndAgain() throws Exception {
    when(endings.finished(2, Result.PASSED, null)).thenReturn(true);
    org.mockito.Mockito.doThrow(
            new dev.kiln.api.web.ApiException(
                org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE,
                "could not start the ended notification of run 2; report again"))
        .when(notifier)
        .runEnded(2);

    problem(
        postJson("/internal/runs/2/finish", "{\"result\": \"passed\"}", TOKEN),
        503,
        "could not start the ended notification of run 2; report again");
  }

  @Test
  void refusesBuildingAsAFinishResult() throws Exception {
    problem(
        postJson("/internal/runs/1/finish", "{\"result\": \"building\"}", TOKEN),
        400,
        "result: \"building\" is not one of passed, failed, cancelled, aborted");
    verify(endings, never()).finished(anyLong(), any(), isNull());
  }

  @Test
  void answers404ForAnUnknownRun() throws Exception {
    when(endings.finished(eq(99L), any(), any())).thenThrow(ApiException.runNotFound(99));
    problem(
        postJson("/internal/runs/99/finish", "{\"result\": \"passed\"}", TOKEN),
        404,
        "run 99 does not exist");
  }
}
