package dev.kiln.api.internal;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.logs.LogIngest;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.workflows.internal.AttemptFencing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

@WebMvcTest(InternalLogsController.class)
@Import(WebSliceConfig.class)
@ActiveProfiles("test")
class InternalLogsControllerTest {

  @Autowired MockMvc mvc;
  @MockitoBean LogIngest ingest;

  @BeforeEach
  void nobodyFollows() {
    when(ingest.append(anyLong(), any(), anyList())).thenReturn(new LogIngest.Appended(1, false));
  }

  private ResultActions postLogs(String json) throws Exception {
    return mvc.perform(
        post("/internal/runs/3/logs")
            .header("Authorization", "Bearer test-token")
            .contentType(MediaType.APPLICATION_JSON)
            .content(json));
  }

  private static void problem(ResultActions result, int status, String detail) throws Exception {
    result
        .andExpect(status().is(status))
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(detail));
  }

  @Test
  void decodesBase64ChunksAndHandsThemOn() throws Exception {
    postLogs(
            """
            {"chunks": [{"seq": 1000000, "step": "compile", "offset": 0,
                         "ts": "2026-01-01T10:00:00+02:00", "data": "aGVsbG8K"}]}
            """)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.followed").value(false));

    verify(ingest)
        .append(
            eq(3L),
            isNull(),
            argThat(
                chunks ->
                    chunks.size() == 1
                        && Arrays.equals(
                            chunks.get(0).data(), "hello\n".getBytes(StandardCharsets.UTF_8))
                        && chunks.get(0).ts().toString().equals("2026-01-01T08:00:00Z")));
  }

  @Test
  void handsOnTheAttemptTheBuildHostSaysItWritesFor() throws Exception {
    mvc.perform(
            post("/internal/runs/3/logs")
                .header("Authorization", "Bearer test-token")
                .header(AttemptFencing.ATTEMPT_HEADER, "2")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"chunks\": []}"))
        .andExpect(status().isOk());

    verify(ingest).append(eq(3L), eq(2), anyList());
  }

  @Test
  void answersWhetherAnyoneFollowsTheRunsLog() throws Exception {
    when(ingest.append(anyLong(), any(), anyList())).thenReturn(new LogIngest.Appended(0, true));

    postLogs("{\"chunks\": []}")
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.APPLICATION_JSON))
        .andExpect(jsonPath("$.followed").value(true));
  }

  @Test
  void refusesAnAttemptThatIsNotANumber() throws Exception {
    mvc.perform(
            post("/internal/runs/3/logs")
                .header("Authorization", "Bearer test-token")
                .header(AttemptFencing.ATTEMPT_HEADER, "two")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"chunks\": []}"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
    verify(ingest, never()).append(anyLong(), any(), anyList());
  }

  @Test
  void refusesDataThatIsNotBase64() throws Exception {
    problem(
        postLogs("{\"chunks\": [{\"seq\": 1, \"step\": \"compile\", \"data\": \"not base64!\"}]}"),
        400,
        "chunks[0].data: not valid base64");
    verify(ingest, never()).append(anyLong(), any(), anyList());
  }

  @Test
  void refusesAChunkWithoutSequenceNumber() throws Exception {
    problem(
        postLogs("{\"chunks\": [{\"step\": \"compile\", \"data\": \"eA==\"}]}"),
        400,
        "chunks[0].seq is required");
  }

  @Test
  void refusesAChunkWithoutStep() throws Exception {
    problem(
        postLogs("{\"chunks\": [{\"seq\": 1, \"data\": \"eA==\"}]}"),
        400,
        "chunks[0].step is required");
  }

  @Test
  void refusesABatchWithoutChunks() throws Exception {
    problem(postLogs("{}"), 400, "chunks is required");
  }

  @Test
  void refusesABatchOverEightMebibytes() throws Exception {
    String data = "A".repeat(8 * 1024 * 1024);
    problem(
        postLogs("{\"chunks\": [{\"seq\": 1, \"step\": \"compile\", \"data\": \"" + data + "\"}]}"),
        413,
        "request body is larger than the limit of 8 MiB");
  }
}
