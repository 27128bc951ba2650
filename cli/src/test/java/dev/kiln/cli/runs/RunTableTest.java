package dev.kiln.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.Terminal;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RunTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode runs() throws Exception {
    return JSON.readTree(
        """
        [{"run_id": 12, "result": "failed", "phase": "done", "repo": "file:///tmp/zlib.git",
          "ref": "master", "branch": "master", "arch": "x86_64", "elapsed_s": 95,
          "queued_at": "2026-12-02T12:30:05Z"},
         {"run_id": 9, "result": "building", "phase": "queued", "repo": "https://git.example.com/a/very/long/group/path/that/goes/on/and/on/project.git",
          "ref": "feature-x", "branch": null, "arch": "aarch64", "elapsed_s": 4,
          "queued_at": "2026-12-02T12:29:00Z"}]
        """);
  }

  @Test
  void onePlainLinePerRunWithAlignedColumnsWhenNotATerminal() throws Exception {
    String table = RunTable.render(runs(), new Terminal(false), ZoneOffset.UTC);

    assertThat(table.lines())
        .containsExactly(
            "RUN  RESULT    PHASE   REPO                                              BRANCH     ARCH     TIME   QUEUED",
            "12   failed    done    file:///tmp/zlib.git                              master     x86_64   1m35s  2026-12-02 12:30",
            "9    building  queued  …long/group/path/that/goes/on/and/on/project.git  feature-x  aarch64  4s     2026-12-02 12:29");
    assertThat(table).doesNotContain("\u001b");
  }

  @Test
  void aTerminalGetsTheResultColouredAndTheColumnsStillLineUp() throws Exception {
    String table = RunTable.render(runs(), new Terminal(true), ZoneOffset.UTC);

    assertThat(table).contains("\u001b[31mfailed\u001b[0m    done");
    assertThat(table).contains("\u001b[36mbuilding\u001b[0m  queued");
  }

  @Test
  void aLongRepositoryUrlKeepsItsEnd() {
    String shortened = RunTable.shorten("https://example.com/" + "x".repeat(60) + "/name.git");

    assertThat(shortened).hasSize(RunTable.MAX_REPO).startsWith("…").endsWith("x/name.git");
  }
}
