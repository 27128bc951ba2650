package dev.kiln.api.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.DatabaseUnavailable;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.TestCounts;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.transaction.CannotCreateTransactionException;

@WebMvcTest(RunsController.class)
@Import(WebSliceConfig.class)
@ActiveProfiles("test")
class RunsControllerTest {

  @Autowired MockMvc mvc;
  @MockitoBean RunViews views;

  private static ResultActions problem(ResultActions result, int status, String detail)
      throws Exception {
    return result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void servesTheRunViewInSnakeCaseWithRfc3339Times() throws Exception {
    when(views.view(42))
        .thenReturn(
            new RunView(
                new RunSummary(
                    42,
                    "https://example.com/app.git",
                    "main",
                    "main",
                    "9f1c",
                    "x86_64",
                    "https://example.com/app.git#main@x86_64",
                    "123",
                    "normal",
                    "1.4.0",
                    "gating",
                    "building",
                    Instant.parse("2026-01-02T03:04:05Z"),
                    Instant.parse("2026-01-02T03:04:06.5Z"),
                    null,
                    41,
                    null,
                    null,
                    null,
                    null,
                    null,
                    new RunView.Temporal(
                        "kiln-run-42",
                        "run-uuid",
                        "http://localhost:8233/namespaces/default/workflows/kiln-run-42")),
                null,
                List.of(
                    new RunView.Gate(
                        "unit",
                        "passed",
                        true,
                        "212 tests, 0 failed",
                        new TestCounts(212, 0, 3),
                        "/runs/42/logs?step=gate:unit")),
                List.of(new RunView.Artifact("target/app.jar", 1234, "ab".repeat(32))),
                "host-b",
                List.of(
                    new RunView.Restart(
                        2,
                        "host-b",
                        "host-a",
                        "restarted on host-b: previous host lost (host-a)",
                        Instant.parse("2026-01-02T03:04:30Z"))),
                "ci-bot",
                "bwrap",
                new dev.kiln.workflows.internal.InternalBodies.Limits(
                    4L << 30, 2.0, 2048, 10L << 30, 1200L, false, "cgroup v2"),
                List.of(new RunView.StepUsage("compile", 312L << 20, 4.25)),
                null));

    mvc.perform(get("/runs/42"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.run_id").value(42))
        .andExpect(jsonPath("$.queued_at").value("2026-01-02T03:04:05Z"))
        .andExpect(jsonPath("$.started_at").value("2026-01-02T03:04:06.500Z"))
        .andExpect(jsonPath("$.finished_at").isEmpty())
        .andExpect(jsonPath("$.elapsed_s").value(41))
        .andExpect(jsonPath("$.failure_summary").isEmpty())
        .andExpect(jsonPath("$.gates[0].tests.skipped").value(3))
        .andExpect(jsonPath("$.gates[0].log_ref").value("/runs/42/logs?step=gate:unit"))
        .andExpect(jsonPath("$.artifacts[0].sha256").value("ab".repeat(32)))
        .andExpect(jsonPath("$.temporal.workflow_id").value("kiln-run-42"))
        .andExpect(jsonPath("$.temporal.run_id").value("run-uuid"))
        .andExpect(jsonPath("$.host").value("host-b"))
        .andExpect(jsonPath("$.restarts[0].previous_host").value("host-a"))
        .andExpect(
            jsonPath("$.restarts[0].note")
                .value("restarted on host-b: previous host lost (host-a)"))
        .andExpect(jsonPath("$.sandbox").value("bwrap"))
        .andExpect(jsonPath("$.limits.memory_bytes").value(4L << 30))
        .andExpect(jsonPath("$.limits.enforced_by").value("cgroup v2"))
        .andExpect(jsonPath("$.limits.network").value(false))
        .andExpect(jsonPath("$.steps[0].step").value("compile"))
        .andExpect(jsonPath("$.steps[0].peak_memory_bytes").value(312L << 20))
        .andExpect(jsonPath("$.steps[0].cpu_seconds").value(4.25));
  }

  @Test
  void answers404ForAnUnknownRun() throws Exception {
    when(views.view(7)).thenThrow(ApiException.runNotFound(7));
    problem(mvc.perform(get("/runs/7")), 404, "run 7 does not exist");
  }

  @Test
  void answers400ForANonNumericId() throws Exception {
    problem(mvc.perform(get("/runs/abc")), 400, "run id \"abc\" is not a positive integer");
    problem(mvc.perform(get("/runs/0")), 400, "run id \"0\" is not a positive integer");
  }

  @Test
  void passesFiltersAndPageSizeOn() throws Exception {
    when(views.page(any(), any(), anyInt())).thenReturn(new RunPage(List.of(), null));

    mvc.perform(
            get("/runs")
                .param("repo", "https://example.com/app.git")
                .param("branch", "main")
                .param("arch", "amd64")
                .param("result", "failed")
                .param("since", "2026-01-01T00:00:00+02:00")
                .param("limit", "10")
                .param("before", "99"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.runs").isArray())
        .andExpect(jsonPath("$.next").isEmpty());

    verify(views)
        .page(
            eq(
                new RunFilter(
                    "https://example.com/app.git",
                    "main",
                    null,
                    "x86_64",
                    Result.FAILED,
                    Instant.parse("2025-12-31T22:00:00Z"),
                    99L)),
            eq(RepoPatterns.any()),
            eq(10));
  }

  @Test
  void refusesALimitOver200() throws Exception {
    problem(
        mvc.perform(get("/runs").param("limit", "201")),
        400,
        "limit: must be between 1 and 200, got 201");
  }

  @Test
  void refusesANonNumericLimitOrCursor() throws Exception {
    problem(
        mvc.perform(get("/runs").param("limit", "ten")), 400, "limit: \"ten\" is not an integer");
    problem(mvc.perform(get("/runs").param("before", "x")), 400, "before: \"x\" is not an integer");
  }

  @Test
  void refusesAnUnknownResult() throws Exception {
    problem(
        mvc.perform(get("/runs").param("result", "green")),
        400,
        "result: \"green\" is not one of building, passed, failed, cancelled, aborted");
  }

  @Test
  void refusesASinceThatIsNotRfc3339() throws Exception {
    problem(
        mvc.perform(get("/runs").param("since", "yesterday")),
        400,
        "since: \"yesterday\" is not an RFC 3339 timestamp such as 2025-01-31T08:00:00Z");
  }

  private static RunView failedRun() {
    return new RunView(
        new RunSummary(
            7,
            "https://example.com/app.git",
            "main",
            "main",
            "9f1c",
            "x86_64",
            "https://example.com/app.git#main@x86_64",
            null,
            "normal",
            null,
            "done",
            "failed",
            Instant.parse("2026-01-02T03:04:05Z"),
            Instant.parse("2026-01-02T03:04:06Z"),
            Instant.parse("2026-01-02T03:05:06Z"),
            61,
            "unit: <Foo> & 'bar' failed",
            null,
            null,
            null,
            null,
            new RunView.Temporal(
                "kiln-run-7",
                null,
                "http://localhost:8233/namespaces/default/workflows/kiln-run-7")),
        null,
        List.of(
            new RunView.Gate(
                "unit",
                "failed",
                true,
                "2 failed",
                null,
                "/runs/7/logs?step=gate:unit",
                List.of(
                    new RunView.Failure(
                        "CalcTest.adds",
                        "calc.CalcTest",
                        "expected: <5> but was: <-1>",
                        "CalcTest.java",
                        9)))),
        List.of(),
        null,
        List.of(),
        null,
        null,
        null,
        List.of(),
        null);
  }

  private static RunView notifiedRun() {
    return failedRun()
        .withNotifications(
            List.of(
                new RunView.Notification(
                    new NotifyTarget(
                        "webhook", "https://hooks.example.com/k", null, "all", null, null),
                    "ended",
                    "failed",
                    1,
                    "HTTP 400: <nope>",
                    Instant.parse("2026-01-02T03:05:07Z"),
                    List.of())));
  }

  @Test
  void rendersASelfContainedHtmlPageForBrowsersWithTheViewAsJsonItCannotBreakOutOf()
      throws Exception {
    when(views.view(7)).thenReturn(notifiedRun());

    var response =
        mvc.perform(get("/runs/7").header("Accept", "text/html,*/*;q=0.8"))
            .andExpect(status().isOk())
            .andExpect(content().contentType("text/html;charset=UTF-8"))
            .andReturn()
            .getResponse();
    String html = response.getContentAsString();
    String policy = response.getHeader("Content-Security-Policy");

    assertThat(policy).startsWith("default-src 'none'; script-src 'nonce-");
    String nonce = policy.replaceAll("^.*script-src 'nonce-([^']+)'.*$", "$1");
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains(
            "<div class=\"failure\" id=\"failure\" role=\"alert\">"
                + "unit: &lt;Foo&gt; &amp; &#39;bar&#39; failed</div>")
        .contains("href=\"http://localhost:8233/namespaces/default/workflows/kiln-run-7\"")
        .contains("<script nonce=\"" + nonce + "\">")
        .contains("new EventSource('/runs/' + runId + '/logs')")
        // the view: JSON whose "<" and "&" cannot end its script element
        .contains("\"failure_summary\":\"unit: \\u003cFoo\\u003e \\u0026 'bar' failed\"")
        .contains("\"last_error\":\"HTTP 400: \\u003cnope\\u003e\"")
        .doesNotContain("<Foo>")
        .doesNotContain("<script src")
        .doesNotContain("<link")
        .doesNotContain("{{");
  }

  @Test
  void anyOtherAcceptStillGetsJson() throws Exception {
    when(views.view(7)).thenReturn(notifiedRun());

    mvc.perform(get("/runs/7").accept(MediaType.ALL))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.APPLICATION_JSON))
        .andExpect(jsonPath("$.result").value("failed"))
        .andExpect(jsonPath("$.gates[0].failures[0].name").value("CalcTest.adds"))
        .andExpect(jsonPath("$.gates[0].failures[0].file").value("CalcTest.java"))
        .andExpect(jsonPath("$.gates[0].failures[0].line").value(9))
        .andExpect(jsonPath("$.notifications[0].target.url").value("https://hooks.example.com/k"))
        .andExpect(jsonPath("$.notifications[0].last_error").value("HTTP 400: <nope>"))
        .andExpect(jsonPath("$.notifications[0].attempts").value(1));
    mvc.perform(get("/runs/7"))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.APPLICATION_JSON));
  }

  @Test
  void aRunViewWhileTheDatabaseIsAwayIs503WithRetryAfterAndNoInternals() throws Exception {
    when(views.view(42))
        .thenThrow(
            new CannotCreateTransactionException(
                "Could not open JDBC Connection for transaction",
                new SQLTransientConnectionException(
                    "HikariPool-1 - Connection is not available, request timed out after 1000ms")));

    String body =
        problem(mvc.perform(get("/runs/42")), 503, DatabaseUnavailable.DETAIL)
            .andExpect(header().string("Retry-After", "5"))
            .andReturn()
            .getResponse()
            .getContentAsString();

    assertThat(body).doesNotContain("Hikari").doesNotContain("JDBC");
  }
}
