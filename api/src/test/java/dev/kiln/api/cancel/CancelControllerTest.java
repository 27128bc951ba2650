package dev.kiln.api.cancel;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.runs.RunEndings;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunSummary;
import dev.kiln.api.runs.RunView;
import dev.kiln.api.runs.RunViews;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.temporal.RunCanceller;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/** The controller and {@link CancelService} with the ledger, views and Temporal mocked. */
@WebMvcTest(CancelController.class)
@Import({WebSliceConfig.class, CancelService.class})
@ActiveProfiles("test")
class CancelControllerTest {

  private static final String REPO = "https://example.com/app.git";

  @Autowired MockMvc mvc;
  @MockitoBean RunRepository runs;
  @MockitoBean RunViews views;
  @MockitoBean RunCanceller canceller;
  @MockitoBean RunEndings endings;
  @MockitoBean BuildMetrics metrics;
  @MockitoBean Notifier notifier;

  private static ResultActions problem(ResultActions result, int status, String detail)
      throws Exception {
    return result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(status))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void aBuildingLaneRunIsCancelledThroughItsLaneAnd202CarriesTheRunViewStillBuilding()
      throws Exception {
    when(runs.find(42)).thenReturn(Optional.of(run(42, "main", true, Result.BUILDING)));
    when(runs.requestCancel(42, "release manager: wrong tag")).thenReturn(true);
    when(canceller.cancel(42, REPO + "#main@x86_64")).thenReturn(RunCanceller.Delivery.LANE);
    when(views.view(42)).thenReturn(view(42, "release manager: wrong tag"));

    mvc.perform(
            put("/build-jobs/42/cancel")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"reason\": \"  release manager: wrong tag \"}"))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", "/runs/42"))
        .andExpect(jsonPath("$.run_id").value(42))
        .andExpect(jsonPath("$.phase").value("compiling"))
        .andExpect(jsonPath("$.result").value("building"))
        .andExpect(jsonPath("$.cancelled_by").value("release manager: wrong tag"));
  }

  @Test
  void withoutABodyTheRequestIsRecordedAsApiAndADirectRunIsCancelledOnItsOwnWorkflow()
      throws Exception {
    when(runs.find(7)).thenReturn(Optional.of(run(7, "main", false, Result.BUILDING)));
    when(runs.requestCancel(7, "api")).thenReturn(true);
    when(canceller.cancel(7, null)).thenReturn(RunCanceller.Delivery.RUN);
    when(views.view(7)).thenReturn(view(7, "api"));

    mvc.perform(put("/build-jobs/7/cancel")).andExpect(status().isAccepted());
    mvc.perform(put("/build-jobs/7/cancel")).andExpect(status().isAccepted());

    verify(runs, org.mockito.Mockito.times(2)).requestCancel(7, "api");
    verify(canceller, org.mockito.Mockito.times(2)).cancel(7, null);
  }

  @Test
  void aBareShaRunHasNoLaneWorkflowAndIsCancelledDirectly() throws Exception {
    when(runs.find(8)).thenReturn(Optional.of(run(8, "9f1c2ab", true, Result.BUILDING)));
    when(runs.requestCancel(anyLong(), anyString())).thenReturn(true);
    when(canceller.cancel(8, null)).thenReturn(RunCanceller.Delivery.RUN);
    when(views.view(8)).thenReturn(view(8, "api"));

    mvc.perform(put("/build-jobs/8/cancel")).andExpect(status().isAccepted());

    verify(canceller).cancel(eq(8L), isNull());
  }

  @Test
  void aRunThatAlreadyEndedIs409WithItsResultAndNothingIsCancelled() throws Exception {
    when(runs.find(5)).thenReturn(Optional.of(run(5, "main", true, Result.PASSED)));

    problem(mvc.perform(put("/build-jobs/5/cancel")), 409, "run 5 already ended: passed")
        .andExpect(jsonPath("$.result").value("passed"))
        .andExpect(jsonPath("$.run_id").value(5));
    verify(runs, never()).requestCancel(anyLong(), any());
    verify(canceller, never()).cancel(anyLong(), any());
  }

  @Test
  void aRunThatEndsJustBeforeTheRequestIsRecordedIs409Too() throws Exception {
    when(runs.find(6))
        .thenReturn(Optional.of(run(6, "main", true, Result.BUILDING)))
        .thenReturn(Optional.of(run(6, "main", true, Result.ABORTED)));
    when(runs.requestCancel(6, "api")).thenReturn(false);

    problem(mvc.perform(put("/build-jobs/6/cancel")), 409, "run 6 already ended: aborted")
        .andExpect(jsonPath("$.result").value("aborted"));
    verify(canceller, never()).cancel(anyLong(), any());
  }

  @Test
  void aRunWhoseWorkflowClosedWithoutAResultIsRecordedCancelledByTheApi() throws Exception {
    when(runs.find(9)).thenReturn(Optional.of(run(9, "main", true, Result.BUILDING)));
    when(runs.requestCancel(9, "api")).thenReturn(true);
    when(canceller.cancel(9, REPO + "#main@x86_64")).thenReturn(RunCanceller.Delivery.NO_WORKFLOW);
    when(views.view(9)).thenReturn(view(9, "api"));

    mvc.perform(put("/build-jobs/9/cancel")).andExpect(status().isAccepted());

    verify(endings).finished(9, Result.CANCELLED, CancelService.NO_WORKFLOW_SUMMARY);
    verify(notifier).runEnded(9);
  }

  @Test
  void aRunWhoseWorkflowClosedAfterPassingIs409() throws Exception {
    when(runs.find(10))
        .thenReturn(Optional.of(run(10, "main", false, Result.BUILDING)))
        .thenReturn(Optional.of(run(10, "main", false, Result.PASSED)));
    when(runs.requestCancel(10, "api")).thenReturn(true);
    when(canceller.cancel(10, null)).thenReturn(RunCanceller.Delivery.NO_WORKFLOW);

    problem(mvc.perform(put("/build-jobs/10/cancel")), 409, "run 10 already ended: passed");
    verify(endings, never()).finished(anyLong(), any(), any());
  }

  @Test
  void unknownRunIs404() throws Exception {
    when(runs.find(404)).thenReturn(Optional.empty());
    problem(mvc.perform(put("/build-jobs/404/cancel")), 404, "run 404 does not exist");
  }

  @Test
  void malformedIdIs400() throws Exception {
    problem(
        mvc.perform(put("/build-jobs/abc/cancel")),
        400,
        "run id \"abc\" is not a positive integer");
    problem(
        mvc.perform(put("/build-jobs/-1/cancel")), 400, "run id \"-1\" is not a positive integer");
  }

  @Test
  void unknownBodyFieldOrOverLongReasonIs400() throws Exception {
    problem(
        mvc.perform(
            put("/build-jobs/1/cancel")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"why\": \"x\"}")),
        400,
        "unknown field \"why\"");
    problem(
        mvc.perform(
            put("/build-jobs/1/cancel")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"reason\": \"" + "x".repeat(201) + "\"}")),
        400,
        "reason: at most 200 characters");
  }

  @Test
  void temporalUnreachableIs503AndSaysToRepeat() throws Exception {
    when(runs.find(11)).thenReturn(Optional.of(run(11, "main", false, Result.BUILDING)));
    when(runs.requestCancel(11, "api")).thenReturn(true);
    when(canceller.cancel(11, null))
        .thenThrow(
            new RunCanceller.CancelFailedException("Temporal at localhost:7233 is down", null));

    problem(
            mvc.perform(put("/build-jobs/11/cancel")),
            503,
            "could not cancel run 11: Temporal at localhost:7233 is down; repeat the request")
        .andExpect(jsonPath("$.run_id").value(11));
  }

  private static RunRecord run(long id, String ref, boolean supersede, Result result) {
    return new RunRecord(
        id,
        REPO,
        ref,
        null,
        null,
        "x86_64",
        REPO + "#" + ref + "@x86_64",
        null,
        "normal",
        supersede,
        null,
        result.isTerminal() ? Phase.DONE : Phase.COMPILING,
        result,
        null,
        null,
        null,
        "kiln-run-" + id,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        Instant.parse("2026-01-02T03:04:05Z"),
        null,
        result.isTerminal() ? Instant.parse("2026-01-02T03:05:05Z") : null,
        60,
        "loopback");
  }

  private static RunView view(long id, String cancelledBy) {
    return new RunView(
        new RunSummary(
            id,
            REPO,
            "main",
            null,
            null,
            "x86_64",
            REPO + "#main@x86_64",
            null,
            "normal",
            null,
            "compiling",
            "building",
            Instant.parse("2026-01-02T03:04:05Z"),
            Instant.parse("2026-01-02T03:04:06Z"),
            null,
            60,
            null,
            null,
            null,
            cancelledBy,
            null,
            new RunView.Temporal("kiln-run-" + id, null, null)),
        null,
        List.of(),
        List.of(),
        null,
        List.of(),
        "loopback",
        null,
        null,
        List.of(),
        null);
  }
}
