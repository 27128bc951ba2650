package dev.kiln.api.artifacts;

import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.runs.RunAccess;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.web.ApiException;
import java.time.Instant;
import java.util.List;
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

@WebMvcTest(ArtifactsController.class)
@Import(WebSliceConfig.class)
@ActiveProfiles("test")
class ArtifactsControllerTest {

  @Autowired MockMvc mvc;
  @MockitoBean ArtifactService artifacts;
  // who may read which run is AuthorizationIT's subject; here every run is readable
  @MockitoBean RunAccess access;

  private static void problem(ResultActions result, int status, String detail) throws Exception {
    result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void listsArtifactsWithDownloadLinks() throws Exception {
    when(artifacts.list(5))
        .thenReturn(
            List.of(
                new StoredArtifact(
                    5, "dist/my app.tar.gz", 10, "ab".repeat(32), "k", Instant.EPOCH)));

    mvc.perform(get("/runs/5/artifacts"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.artifacts[0].path").value("dist/my app.tar.gz"))
        .andExpect(jsonPath("$.artifacts[0].size").value(10))
        .andExpect(jsonPath("$.artifacts[0].url").value("/runs/5/artifacts/dist/my%20app.tar.gz"));
  }

  @Test
  void answers404ForAnUnknownArtifact() throws Exception {
    when(artifacts.download(5, "nope.jar"))
        .thenThrow(ApiException.notFound("run 5 has no artifact \"nope.jar\""));
    problem(
        mvc.perform(get("/runs/5/artifacts/nope.jar")), 404, "run 5 has no artifact \"nope.jar\"");
  }

  @Test
  void answers410WhenTheFileIsGoneFromTheStore() throws Exception {
    when(artifacts.download(5, "a.jar"))
        .thenThrow(
            new ApiException(
                HttpStatus.GONE,
                "artifact \"a.jar\" of run 5 is recorded but its file is no longer stored"));
    problem(
        mvc.perform(get("/runs/5/artifacts/a.jar")),
        410,
        "artifact \"a.jar\" of run 5 is recorded but its file is no longer stored");
  }

  @Test
  void answers400ForAMalformedRunId() throws Exception {
    problem(mvc.perform(get("/runs/x/artifacts")), 400, "run id \"x\" is not a positive integer");
    verify(artifacts, never()).download(anyLong(), anyString());
  }
}
