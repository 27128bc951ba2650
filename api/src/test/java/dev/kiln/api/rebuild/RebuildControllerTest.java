package dev.kiln.api.rebuild;

import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.web.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@WebMvcTest(RebuildController.class)
@Import({WebSliceConfig.class, RebuildValidator.class, RegisteredDefaults.class})
@ActiveProfiles("test")
class RebuildControllerTest {

  private static final String ZLIB = "https://github.com/madler/zlib.git";

  @Autowired MockMvc mvc;
  @MockitoBean RebuildService service;

  /** No repository is registered here: RegisteredDefaultsIT covers registered ones. */
  @MockitoBean RepoStore repos;

  private ResultActions postRebuild(String json) throws Exception {
    return mvc.perform(post("/rebuild").contentType(MediaType.APPLICATION_JSON).content(json));
  }

  private static RebuildAccepted accepted(long id) {
    return new RebuildAccepted(
        id,
        ZLIB + "#main@x86_64",
        "kiln-run-" + id,
        "/runs/" + id,
        "/runs/" + id + "/logs",
        "http://localhost:8233/namespaces/default/workflows/kiln-run-" + id,
        null);
  }

  @Test
  void saysInTheBodyWhenNoWorkerServesTheArchitecture() throws Exception {
    RebuildAccepted base = accepted(43);
    String warning =
        "no worker polls kiln-build-aarch64 right now; the run fails if none comes within 5m";
    when(service.rebuild(any(NewRun.class), anyString()))
        .thenReturn(
            new RebuildService.Outcome(
                new RebuildAccepted(
                    base.runId(),
                    base.lane(),
                    base.workflowId(),
                    base.statusUrl(),
                    base.logsUrl(),
                    base.uiUrl(),
                    warning),
                false));

    postRebuild("{\"repo\": \"" + ZLIB + "\", \"arch\": \"aarch64\"}")
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.warning").value(warning));
  }

  @Test
  void theWarningIsNullWhenAllIsWell() throws Exception {
    when(service.rebuild(any(NewRun.class), anyString()))
        .thenReturn(new RebuildService.Outcome(accepted(44), false));

    postRebuild("{\"repo\": \"" + ZLIB + "\"}")
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.warning").value(nullValue()));
  }

  private static ResultActions problem(ResultActions result, int status, String detail)
      throws Exception {
    return result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(status))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void acceptsARebuildWith202TheContractBodyAndLocation() throws Exception {
    when(service.rebuild(any(NewRun.class), anyString()))
        .thenReturn(new RebuildService.Outcome(accepted(42), false));

    postRebuild("{\"repo\": \"" + ZLIB + "\", \"ref\": \"main\", \"arch\": \"x86_64\"}")
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", "/runs/42"))
        .andExpect(jsonPath("$.run_id").value(42))
        .andExpect(jsonPath("$.lane").value(ZLIB + "#main@x86_64"))
        .andExpect(jsonPath("$.workflow_id").value("kiln-run-42"))
        .andExpect(jsonPath("$.status_url").value("/runs/42"))
        .andExpect(jsonPath("$.logs_url").value("/runs/42/logs"))
        .andExpect(jsonPath("$.ui_url", startsWith("http://localhost:8233/namespaces/default/")));
  }

  @Test
  void answersARepeatedIdempotencyKeyWith200AndTheSameBody() throws Exception {
    when(service.rebuild(any(NewRun.class), anyString()))
        .thenReturn(new RebuildService.Outcome(accepted(42), true));

    mvc.perform(
            post("/rebuild")
                .header("Idempotency-Key", "deploy-123")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"repo\": \"" + ZLIB + "\"}"))
        .andExpect(status().isOk())
        .andExpect(header().string("Location", "/runs/42"))
        .andExpect(jsonPath("$.run_id").value(42));
  }

  @Test
  void rejectsAMissingRepo() throws Exception {
    problem(postRebuild("{\"ref\": \"main\"}"), 400, "repo is required");
    verify(service, never()).rebuild(any(), any());
  }

  @Test
  void rejectsMalformedJsonSayingWhere() throws Exception {
    problem(
        postRebuild("{\"repo\": \"x\",}"),
        400,
        "malformed JSON at line 1, column 14: Unexpected character ('}' (code 125)): was"
            + " expecting double-quote to start property name");
  }

  @Test
  void rejectsAnUnknownFieldNamingIt() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"branch\": \"main\"}"),
        400,
        "unknown field \"branch\"");
  }

  @Test
  void rejectsAWronglyTypedField() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"args\": \"-j4\"}"),
        400,
        "args: expected an array");
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"supersede\": \"maybe\"}"),
        400,
        "supersede: \"maybe\" is not true or false");
  }

  @Test
  void rejectsAMissingBody() throws Exception {
    problem(
        mvc.perform(post("/rebuild").contentType(MediaType.APPLICATION_JSON)),
        400,
        "request body is required");
  }

  @Test
  void rejectsTheExtRemoteHelper() throws Exception {
    problem(
        postRebuild("{\"repo\": \"ext::sh -c touch% /tmp/pwned\"}"),
        400,
        "repo: transport \"ext::\" is not allowed; use the repository's https:// URL");
  }

  @Test
  void rejectsFileUrlsUnlessAllowed() throws Exception {
    problem(
        postRebuild("{\"repo\": \"file:///srv/git/app.git\"}"),
        400,
        "repo: file:// URLs are only allowed on the dev stack (kiln.repos.allow-file); use the"
            + " repository's https:// URL");
  }

  @Test
  void rejectsAPlainPath() throws Exception {
    problem(
        postRebuild("{\"repo\": \"/srv/git/app.git\"}"),
        400,
        "repo: local paths are not allowed; use a URL such as https://host/owner/repo.git");
  }

  @Test
  void rejectsAnUnknownArchWith422() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"arch\": \"riscv64\"}"),
        422,
        "arch: \"riscv64\" is not one Kiln builds for (x86_64, aarch64)");
  }

  @Test
  void rejectsAnUnknownPriority() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"priority\": \"asap\"}"),
        400,
        "priority: \"asap\" is not one of low, normal, high, urgent");
  }

  @Test
  void rejectsARefWithDotDot() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"ref\": \"main..evil\"}"),
        400,
        "ref: must not contain \"..\"");
  }

  @Test
  void rejectsABodyOverOneMebibyteWith413() throws Exception {
    String huge = "{\"repo\": \"" + ZLIB + "\", \"target\": \"" + "x".repeat(1 << 20) + "\"}";
    problem(postRebuild(huge), 413, "request body is larger than the limit of 1 MiB");
  }

  @Test
  void rejectsAWrongContentTypeWith415() throws Exception {
    problem(
        mvc.perform(post("/rebuild").contentType(MediaType.TEXT_PLAIN).content("repo=x")),
        415,
        "Content-Type 'text/plain' is not supported.");
  }

  @Test
  void rejectsAWrongMethodWith405() throws Exception {
    problem(mvc.perform(put("/rebuild")), 405, "Method 'PUT' is not supported.");
  }

  @Test
  void answersAnUnknownPathWithA404Problem() throws Exception {
    problem(mvc.perform(get("/rebuilds")), 404, "no such resource: GET /rebuilds");
  }

  @Test
  void passesAStartFailureOnAs503() throws Exception {
    when(service.rebuild(any(NewRun.class), anyString()))
        .thenThrow(
            new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "could not start run 7: Temporal at localhost:7233 refused or is unreachable"
                        + " (UNAVAILABLE: io exception)")
                .with("run_id", 7));

    problem(
            postRebuild("{\"repo\": \"" + ZLIB + "\"}"),
            503,
            "could not start run 7: Temporal at localhost:7233 refused or is unreachable"
                + " (UNAVAILABLE: io exception)")
        .andExpect(jsonPath("$.run_id").value(7));
  }

  @Test
  void rejectsADuplicatedField() throws Exception {
    problem(
        postRebuild("{\"repo\": \"" + ZLIB + "\", \"repo\": \"ext::sh\"}"),
        400,
        "malformed JSON at line 1, column 54: Duplicate Object property \"repo\"");
  }
}
