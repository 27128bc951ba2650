package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.GateRunRepository.PlannedGate;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class GateRunRepositoryIT {

  private static RunRepository runs;
  private static GateRunRepository gates;

  @BeforeAll
  static void database() {
    JdbcClient jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    gates = new GateRunRepository(jdbc);
  }

  private static long runWithGates(String... names) {
    long id = runs.insert(newRun("https://example.com/a.git", "main", "x86_64")).orElseThrow();
    gates.replaceAll(
        id,
        java.util.Arrays.stream(names).map(n -> new PlannedGate(n, !n.equals("lint"))).toList());
    return id;
  }

  @Test
  void listsPlannedGatesAsPendingInPlanOrder() {
    long id = runWithGates("unit", "lint", "integration");

    List<GateRunRecord> listed = gates.findByRun(id);
    assertThat(listed)
        .extracting(GateRunRecord::name)
        .containsExactly("unit", "lint", "integration");
    assertThat(listed).extracting(GateRunRecord::status).containsOnly(GateStatus.PENDING);
    assertThat(listed).extracting(GateRunRecord::required).containsExactly(true, false, true);
  }

  @Test
  void reResolvingStartsTheGatesOver() {
    long id = runWithGates("unit", "lint");
    gates.update(id, "unit", GateStatus.PASSED, "ok", null, false);

    gates.replaceAll(id, List.of(new PlannedGate("unit", true)));

    assertThat(gates.findByRun(id))
        .singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.PENDING));
  }

  @Test
  void stampsStartAndFinishAndKeepsTestCounts() {
    long id = runWithGates("unit");

    gates.update(id, "unit", GateStatus.RUNNING, null, null, false);
    gates.update(
        id,
        "unit",
        GateStatus.FAILED,
        "1 of 3 failed: FooTest.bar",
        new TestCounts(3, 1, 0),
        false);

    GateRunRecord gate = gates.findByRun(id).get(0);
    assertThat(gate.status()).isEqualTo(GateStatus.FAILED);
    assertThat(gate.startedAt()).isNotNull();
    assertThat(gate.finishedAt()).isNotNull();
    assertThat(gate.tests()).isEqualTo(new TestCounts(3, 1, 0));
    assertThat(gate.summary()).isEqualTo("1 of 3 failed: FooTest.bar");
  }

  @Test
  void anEndedGateIgnoresLateUpdates() {
    long id = runWithGates("unit");
    gates.update(
        id, "unit", GateStatus.PASSED, "212 tests, 0 failed", new TestCounts(212, 0, 3), false);

    assertThat(gates.update(id, "unit", GateStatus.RUNNING, null, null, false)).isTrue();
    assertThat(gates.update(id, "unit", GateStatus.SKIPPED, "run ended", null, true)).isTrue();

    GateRunRecord gate = gates.findByRun(id).get(0);
    assertThat(gate.status()).isEqualTo(GateStatus.PASSED);
    assertThat(gate.summary()).isEqualTo("212 tests, 0 failed");
  }

  @Test
  void anEndedRunOnlyClosesItsOpenGates() {
    long id = runWithGates("unit", "lint");

    gates.update(id, "unit", GateStatus.RUNNING, null, null, true);
    gates.update(id, "lint", GateStatus.SKIPPED, null, null, true);

    assertThat(gates.findByRun(id))
        .extracting(GateRunRecord::status)
        .containsExactly(GateStatus.PENDING, GateStatus.SKIPPED);
  }

  @Test
  void reportsAnUnknownGate() {
    long id = runWithGates("unit");
    assertThat(gates.update(id, "nope", GateStatus.RUNNING, null, null, false)).isFalse();
  }
}
