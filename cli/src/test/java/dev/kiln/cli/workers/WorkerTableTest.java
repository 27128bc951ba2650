package dev.kiln.cli.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.Terminal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WorkerTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode workers() throws Exception {
    return JSON.readTree(
        """
        [{"host": "build-1", "archs": ["x86_64"], "labels": ["big-memory", "jdk21"],
          "slots": 4, "busy_slots": 2, "cpu": 0.415, "memory": 0.6, "version": "0.1.0",
          "last_seen": "2026-12-02T12:30:03Z", "state": "live", "draining": true,
          "paused_for_resources": false, "runs": [12, 14]},
         {"host": "arm-7", "archs": ["aarch64", "x86_64"], "labels": [],
          "slots": 1, "busy_slots": 0, "cpu": 0.0, "memory": 0.1, "version": null,
          "last_seen": "2026-12-02T12:10:05Z", "state": "lost", "draining": false,
          "paused_for_resources": false, "runs": []}]
        """);
  }

  @Test
  void oneLinePerHostWithItsStateSlotsLoadAgeRunsAndLabels() throws Exception {
    String table =
        WorkerTable.render(workers(), new Terminal(false), Instant.parse("2026-12-02T12:30:05Z"));

    assertThat(table.lines())
        .containsExactly(
            "HOST     STATE          ARCHS           SLOTS  CPU  MEM  SEEN     VERSION  RUNS   LABELS",
            "build-1  live,draining  x86_64          2/4    42%  60%  2s ago   0.1.0    12,14  big-memory,jdk21",
            "arm-7    lost           aarch64,x86_64  0/1    0%   10%  20m ago  -        -      -");
    assertThat(table).doesNotContain("\u001b");
  }

  @Test
  void aHostPausedForCpuOrMemorySaysSo() throws Exception {
    JsonNode paused =
        JSON.readTree("{\"state\": \"live\", \"draining\": false, \"paused_for_resources\": true}");
    assertThat(WorkerTable.state(paused)).isEqualTo("live,paused");
  }
}
