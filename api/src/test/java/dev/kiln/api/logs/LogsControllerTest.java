package dev.kiln.api.logs;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.kiln.api.runs.RunAccess;
import dev.kiln.api.runs.RunRemovals;
import dev.kiln.api.support.WebSliceConfig;
import dev.kiln.api.web.ApiException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@WebMvcTest(LogsController.class)
@Import(WebSliceConfig.class)
@ActiveProfiles("test")
class LogsControllerTest {

  @Autowired MockMvc mvc;
  @MockitoBean LogReader reader;
  @MockitoBean LogStreams streams;
  // who may read which run is AuthorizationIT's subject; here every run is readable
  @MockitoBean RunAccess access;
  @MockitoBean RunRemovals removals;
  @MockitoBean LogSearch search;

  @Test
  void servesTheLogAsUtf8PlainTextWithTheLastSequenceNumber() throws Exception {
    LogFilter filter = new LogFilter("gate:unit", 5);
    LogReader.LogSnapshot snapshot = new LogReader.LogSnapshot(42, filter, 2_000_003);
    when(reader.snapshot(42, filter)).thenReturn(snapshot);
    doAnswer(
            call -> {
              call.getArgument(1, OutputStream.class)
                  .write("\u001b[32mok\u001b[0m ✓\n".getBytes(StandardCharsets.UTF_8));
              return null;
            })
        .when(reader)
        .copy(eq(snapshot), any());

    mvc.perform(get("/runs/42/logs").param("step", "gate:unit").param("after", "5"))
        .andExpect(status().isOk())
        .andExpect(content().contentType("text/plain;charset=UTF-8"))
        .andExpect(header().string("X-Kiln-Log-Seq", "2000003"))
        .andExpect(content().bytes("\u001b[32mok\u001b[0m ✓\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void answersAnUnknownRunWithA404ProblemEvenWhenPlainTextWasAsked() throws Exception {
    when(reader.snapshot(eq(9L), any())).thenThrow(ApiException.runNotFound(9));

    mvc.perform(get("/runs/9/logs").accept(MediaType.TEXT_PLAIN))
        .andExpect(status().isNotFound())
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value("run 9 does not exist"));
  }

  @Test
  void refusesANonNumericAfter() throws Exception {
    mvc.perform(get("/runs/9/logs").param("after", "x"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value("after: \"x\" is not an integer"));
  }
}
