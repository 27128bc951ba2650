package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /runs/{id}/logs?grep=} over a log posted through the real {@code /internal} endpoint:
 * the line numbers the run page shows, steps interleaved and lines cut across chunks; ANSI escapes
 * removed; regular expression or plain text; bounded; bad input a 400 problem.
 */
class LogSearchIT extends RunningApi {

  /** Kiln's lines and a compiler's, interleaved; the compiler's third line comes in two chunks. */
  private long runWithInterleavedLog() {
    long id = queuedRun("https://example.com/grep.git");
    logs(
        id,
        Chunk.of(1_000_000, "kiln", "compile on host-a (make)\n$ make\n"),
        Chunk.of(1_000_001, "compile", "cc -c a.c\ncc -c b.c\n\u001b[31mb.c:3: err"),
        Chunk.of(1_000_002, "kiln", "used: peak memory 3 MiB\n"),
        Chunk.of(1_000_003, "compile", "or: expected ';'\u001b[0m\nmake: *** [b.o] Error 1\n"));
    return id;
  }

  private HttpResponse<String> grep(long id, String query) {
    return http.get("/runs/" + id + "/logs?" + query);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static List<String> matches(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> lines = new ArrayList<>();
    for (JsonNode m : Http.json(response).path("matches")) {
      lines.add(
          m.path("line").asLong()
              + " "
              + m.path("step").asString()
              + " "
              + m.path("text").asString());
    }
    return lines;
  }

  @Test
  void answersTheMatchingLinesWithTheNumbersOfTheWholeLogWithoutAnsiEscapes() {
    long id = runWithInterleavedLog();

    HttpResponse<String> found = grep(id, "grep=" + enc("error|Error"));

    assertThat(found.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(matches(found))
        .containsExactly(
            "5 compile b.c:3: error: expected ';'", "7 compile make: *** [b.o] Error 1");
    JsonNode body = Http.json(found);
    assertThat(body.path("syntax").asString()).isEqualTo("regex");
    assertThat(body.path("lines_searched").asLong()).isEqualTo(7);
    assertThat(body.path("truncated").asBoolean()).isFalse();
  }

  @Test
  void searchesForPlainTextOrInOneStepKeepingTheNumbers() {
    long id = runWithInterleavedLog();

    assertThat(matches(grep(id, "grep=" + enc("[b.o]") + "&literal=true")))
        .containsExactly("7 compile make: *** [b.o] Error 1");
    // plain text is looked for in the line without its escapes, across the chunks it came in
    assertThat(matches(grep(id, "grep=" + enc("3: error: expected") + "&literal=true")))
        .containsExactly("5 compile b.c:3: error: expected ';'");
    assertThat(matches(grep(id, "grep=" + enc("make") + "&step=kiln")))
        .containsExactly("1 kiln compile on host-a (make)", "2 kiln $ make");
    assertThat(matches(grep(id, "grep=" + enc("(?i)USED"))))
        .containsExactly("6 kiln used: peak memory 3 MiB");
  }

  @Test
  void stopsAtTheLimitAndSaysSo() {
    long id = runWithInterleavedLog();

    HttpResponse<String> found = grep(id, "grep=c&limit=2");

    assertThat(matches(found)).hasSize(2);
    JsonNode body = Http.json(found);
    assertThat(body.path("truncated").asBoolean()).isTrue();
    assertThat(body.path("note").asString()).isEqualTo("stopped at 2 matches (limit)");
  }

  @Test
  void aPatternThatBacktracksWithoutEndStopsAtTheTimeBudget() {
    long id = queuedRun("https://example.com/grep-slow.git");
    logs(id, Chunk.of(1_000_000, "compile", "a".repeat(60) + "!\n"));

    HttpResponse<String> found = grep(id, "grep=" + enc("((a+)+)+b"));

    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    JsonNode body = Http.json(found);
    assertThat(body.path("truncated").asBoolean()).isTrue();
    assertThat(body.path("note").asString()).startsWith("stopped after");
  }

  @Test
  void refusesABadPatternAnEmptyOneAndABadLimitAsProblems() {
    long id = runWithInterleavedLog();

    problem(grep(id, "grep=" + enc("(unclosed")), "grep: not a regular expression");
    problem(grep(id, "grep="), "grep: must not be empty");
    problem(grep(id, "grep=x&limit=1001"), "limit: must be between 1 and 1000, got 1001");
    HttpResponse<String> unknown = grep(999_999, "grep=x");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  private static void problem(HttpResponse<String> response, String detail) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(Http.json(response).path("detail").asString()).startsWith(detail);
  }
}
