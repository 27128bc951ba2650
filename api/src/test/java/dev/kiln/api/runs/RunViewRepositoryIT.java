package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kiln.api.artifacts.ArtifactRepository;
import dev.kiln.api.runs.GateRunRepository.PlannedGate;
import dev.kiln.api.runs.RunViewRepository.RunDetails;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

class RunViewRepositoryIT {

  private static JdbcClient jdbc;
  private static RunRepository runs;
  private static GateRunRepository gates;
  private static RunViewRepository views;

  @BeforeAll
  static void database() {
    jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    gates = new GateRunRepository(jdbc);
    views = new RunViewRepository(jdbc, JsonMapper.shared());
  }

  private static long newRunId() {
    return runs.insert(newRun("https://example.com/a.git", "main", "x86_64")).orElseThrow();
  }

  @Test
  void readsTheRunAsTheRunRepositoryDoesWithEmptyListsWhenNothingHangsOffIt() {
    long id = newRunId();
    runs.finish(id, Result.FAILED, "error: ‘x’ undeclared\n  at main.c:3");

    RunDetails details = views.find(id).orElseThrow();

    assertThat(details.run()).isEqualTo(runs.find(id).orElseThrow());
    assertThat(details.gates()).isEmpty();
    assertThat(details.artifacts()).isEmpty();
    assertThat(details.restarts()).isEmpty();
  }

  @Test
  void gatesComeInPlanOrderWithStatusSummaryAndTestCounts() {
    long id = newRunId();
    gates.replaceAll(
        id,
        List.of(
            new PlannedGate("unit \"fast\"", true),
            new PlannedGate("lint", false),
            new PlannedGate("e2e", true)));
    gates.update(
        id,
        "unit \"fast\"",
        GateStatus.FAILED,
        "2 of 9 failed\n✗ t1",
        new TestCounts(9, 2, 1),
        false);
    gates.update(id, "lint", GateStatus.RUNNING, null, null, false);

    List<GateRunRecord> read = views.find(id).orElseThrow().gates();

    assertThat(read)
        .extracting(GateRunRecord::name, GateRunRecord::required, GateRunRecord::status)
        .containsExactly(
            tuple("unit \"fast\"", true, GateStatus.FAILED),
            tuple("lint", false, GateStatus.RUNNING),
            tuple("e2e", true, GateStatus.PENDING));
    assertThat(read.get(0).summary()).isEqualTo("2 of 9 failed\n✗ t1");
    assertThat(read.get(0).tests()).isEqualTo(new TestCounts(9, 2, 1));
    assertThat(read.get(1).summary()).isNull();
    assertThat(read.get(1).tests()).isNull();
    assertThat(read).extracting(GateRunRecord::ordinal).containsExactly(0, 1, 2);
  }

  @Test
  void artifactsComeInPathOrderAndRestartsInAttemptOrderWithTheirNotes() throws Exception {
    long id = newRunId();
    ArtifactRepository artifacts = new ArtifactRepository(jdbc);
    ArtifactRepository.Quota quota = new ArtifactRepository.Quota(10, Long.MAX_VALUE);
    artifacts.record(id, "out/b.so", 5_000_000_000L, "b".repeat(64), "k1", quota, () -> {});
    artifacts.record(id, "out/a.so", 12, "a".repeat(64), "k2", quota, () -> {});
    RunRestartRepository restarts = new RunRestartRepository(jdbc);
    restarts.record(id, 3, "host-c", "host-b");
    restarts.record(id, 2, "host-b", "host-a");
    Instant recorded =
        jdbc.sql("SELECT restarted_at FROM run_restarts WHERE run_id = :id AND attempt = 2")
            .param("id", id)
            .query((rs, row) -> rs.getTimestamp(1).toInstant())
            .single();

    RunDetails details = views.find(id).orElseThrow();

    assertThat(details.artifacts())
        .containsExactly(
            new RunView.Artifact("out/a.so", 12, "a".repeat(64)),
            new RunView.Artifact("out/b.so", 5_000_000_000L, "b".repeat(64)));
    assertThat(details.restarts())
        .extracting(RunView.Restart::attempt, RunView.Restart::note)
        .containsExactly(
            tuple(2, "restarted on host-b: previous host lost (host-a)"),
            tuple(3, "restarted on host-c: previous host lost (host-b)"));
    assertThat(details.restarts().get(0).restartedAt()).isEqualTo(recorded);
  }

  @Test
  void anUnknownRunIsEmpty() {
    assertThat(views.find(Long.MAX_VALUE)).isEmpty();
  }
}
