package dev.kiln.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.Terminal;
import org.junit.jupiter.api.Test;

class RunDetailsTest {

  @Test
  void showsWhatTheRunHasAndLeavesOutWhatItDoesNot() throws Exception {
    var run =
        new ObjectMapper()
            .readTree(
                """
                {"run_id": 3, "result": "failed", "phase": "done", "elapsed_s": 61,
                 "repo": "file:///tmp/r.git", "ref": "main", "branch": "main", "sha": "abc123",
                 "arch": "x86_64", "priority": "normal", "mr": null, "host": "build-1",
                 "failure_summary": "compile: error: widget.c:3: expected ';'",
                 "cancelled_by": null, "superseded_by": null, "restarts": [],
                 "gates": [{"name": "unit", "status": "failed", "required": true,
                            "summary": "2 of 10 tests failed",
                            "tests": {"total": 10, "failed": 2, "skipped": 1}}],
                 "artifacts": [{"path": "lib.so", "size": 2048, "sha256": "ff"}],
                 "temporal": {"ui_url": "http://localhost:8233/x"}}
                """);

    String text = RunDetails.render(run, new Terminal(false));

    assertThat(text.lines())
        .containsExactly(
            "run 3  failed  done  1m1s",
            "  repo       file:///tmp/r.git",
            "  branch     main",
            "  sha        abc123",
            "  arch       x86_64",
            "  priority   normal",
            "  host       build-1",
            "  failure    compile: error: widget.c:3: expected ';'",
            "  gate       unit failed (10 tests, 2 failed, 1 skipped): 2 of 10 tests failed",
            "  artifact   lib.so (2048 bytes)",
            "  ui         http://localhost:8233/x");
  }
}
