package dev.kiln.activities.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.api.ApiRejectedException;
import dev.kiln.activities.api.ApiUnavailableException;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.plan.GateSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs against a real HTTP server on loopback rather than a mocked client: what matters is that the
 * requests that go over the wire are the ones docs/internal-api.md specifies.
 */
class LedgerActivitiesImplTest {

  HttpServer server;
  final Map<String, String> received = new ConcurrentHashMap<>();
  final Map<String, String> authorization = new ConcurrentHashMap<>();
  volatile int status = 204;
  volatile String answer = "";
  LedgerActivitiesImpl ledger;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/internal/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          received.put(
              path, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          authorization.put(
              path, String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    ledger = new LedgerActivitiesImpl(new KilnApiClient(base, "s3cret"));
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void theWorkflowsFetchingIsReportedAsQueuedUntilAHostStartsTheFetch() {
    ledger.phaseChanged(42, Phase.FETCHING);

    assertThat(received.get("/internal/runs/42/phase")).isEqualTo("{\"phase\":\"queued\"}");
  }

  @Test
  void whetherAnArchIsServedIsAskedOfTheApiAndOnlyAClearNoCounts() {
    status = 200;
    answer = "{\"arch\":\"riscv64\",\"served\":false}";
    assertThat(ledger.archServed("riscv64")).isFalse();
    assertThat(authorization.get("/internal/archs/riscv64/served")).isEqualTo("Bearer s3cret");

    answer = "{\"arch\":\"riscv64\",\"served\":true}";
    assertThat(ledger.archServed("riscv64")).isTrue();

    status = 204;
    answer = "";
    assertThat(ledger.archServed("riscv64")).isTrue();
  }

  @Test
  void phaseChangeIsPostedWithTheWorkerToken() {
    ledger.phaseChanged(42, Phase.COMPILING);

    assertThat(received.get("/internal/runs/42/phase")).isEqualTo("{\"phase\":\"compiling\"}");
    assertThat(authorization.get("/internal/runs/42/phase")).isEqualTo("Bearer s3cret");
  }

  @Test
  void resolvedRunListsItsGatesInOrder() {
    ledger.resolved(
        new RunResolved(
            42,
            "9f1c",
            "main",
            "1.4.0",
            "host-a",
            "kiln.yaml",
            List.of(
                new GateSpec("unit", "make test", List.of(), 60, true),
                new GateSpec("lint", "make lint", List.of(), 60, false)),
            null));

    assertThat(received.get("/internal/runs/42/resolved"))
        .contains("\"sha\":\"9f1c\"", "\"plan_origin\":\"kiln.yaml\"")
        .containsPattern("\"gates\":\\[\\{[^]]*\"unit\"[^]]*\\},\\{[^]]*\"lint\"");
    assertThat(received.get("/internal/runs/42/resolved")).doesNotContain("\"phase\":\"");
  }

  @Test
  void aResolutionEnteringAPhaseNamesItInTheSameRequest() {
    ledger.resolved(
        new RunResolved(
            42, "9f1c", "main", "1.4.0", "host-a", "kiln.yaml", List.of(), Phase.COMPILING));

    assertThat(received.get("/internal/runs/42/resolved"))
        .contains("\"sha\":\"9f1c\"", "\"phase\":\"compiling\"");
    assertThat(received).doesNotContainKey("/internal/runs/42/phase");
  }

  @Test
  void restartCarriesBothHostsTheAttemptAndTheLogPosition() {
    ledger.restarted(new RunRestart(42, 2, "host-b", "host-a", 3_000_000L));

    assertThat(received.get("/internal/runs/42/restarted"))
        .contains(
            "\"attempt\":2",
            "\"host\":\"host-b\"",
            "\"previous_host\":\"host-a\"",
            "\"log_seq\":3000000");
  }

  @Test
  void gateUpdateCarriesStatusSummaryAndTestCounts() {
    ledger.gateChanged(
        42,
        new GateUpdate(
            "unit", GateStatus.FAILED, "1 of 3 tests failed: A.b", new TestCounts(3, 1, 0)));

    assertThat(received.get("/internal/runs/42/gates/unit"))
        .contains("\"status\":\"failed\"", "\"total\":3", "\"failed\":1");
  }

  @Test
  void finishedReportsWhetherThisWasTheFirstTerminalWrite() {
    status = 200;
    answer = "{\"applied\":false}";

    boolean applied = ledger.finished(42, Result.FAILED, "ref not found: x");

    assertThat(applied).isFalse();
    assertThat(received.get("/internal/runs/42/finish"))
        .contains("\"result\":\"failed\"", "\"failure_summary\":\"ref not found: x\"");
  }

  @Test
  void aNewAttemptIsPostedToTheApiWithItsNumber() {
    status = 200;
    answer = "{\"current\":2}";

    ledger.attemptStarted(42, 2);

    assertThat(received.get("/internal/runs/42/attempt")).isEqualTo("{\"attempt\":2}");
  }

  @Test
  void anApiThatFencesNoAttemptsLetsTheRestartGoOnAndAServerErrorIsRetried() {
    status = 404;
    answer = "{\"detail\":\"no such resource: POST /internal/runs/42/attempt\"}";
    ledger.attemptStarted(42, 2);

    status = 503;
    answer = "{\"detail\":\"starting\"}";
    assertThatThrownBy(() -> ledger.attemptStarted(42, 2))
        .isInstanceOfSatisfying(
            ApiRejectedException.class, e -> assertThat(e.isRetryable()).isTrue());
  }

  @Test
  void aServerErrorIsRetryableAndAClientErrorIsNot() {
    status = 503;
    answer = "{\"detail\":\"starting\"}";
    assertThatThrownBy(() -> ledger.phaseChanged(1, Phase.FETCHING))
        .isInstanceOfSatisfying(
            ApiRejectedException.class, e -> assertThat(e.isRetryable()).isTrue());

    status = 404;
    assertThatThrownBy(() -> ledger.phaseChanged(1, Phase.FETCHING))
        .isInstanceOfSatisfying(
            ApiRejectedException.class, e -> assertThat(e.isRetryable()).isFalse());
  }

  @Test
  void anUnreachableApiIsReportedAsUnavailable() {
    server.stop(0);

    assertThatThrownBy(() -> ledger.phaseChanged(1, Phase.FETCHING))
        .isInstanceOf(ApiUnavailableException.class);
  }
}
