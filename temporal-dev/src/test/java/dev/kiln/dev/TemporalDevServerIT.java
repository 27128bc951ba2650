package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.e2e.HostProcesses;
import dev.kiln.workflows.KilnSearchAttributes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real {@code temporal} CLI. Skipped on a machine without one, never in CI: there the
 * dev server is what must be proven.
 */
class TemporalDevServerIT {

  private static Path cli;

  @TempDir Path tmp;

  private Path db;
  private int port;
  private int uiPort;

  @BeforeAll
  static void findCli() {
    Optional<Path> found =
        TemporalCliResolver.forUser(System.getenv(), Path.of(System.getProperty("user.home")))
            .find()
            .map(TemporalCliResolver.Found::cli);
    if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
      assumeTrue(found.isPresent(), "no temporal CLI on PATH or in the per-user cache");
    }
    assertThat(found).as("the temporal CLI, which .ci/run installs").isPresent();
    cli = found.get();
  }

  @BeforeEach
  void freshPorts() {
    db = tmp.resolve("temporal.db");
    port = Ports.freePort();
    uiPort = Ports.freePort();
  }

  private TemporalDevServer.Options options() {
    return new TemporalDevServer.Options(
        cli, db, port, uiPort, tmp.resolve("logs/temporal.log"), tmp.resolve("temporal.pid"));
  }

  @Test
  void servesKilnSearchAttributesAndTheWebUi() throws Exception {
    TemporalDevServer server = TemporalDevServer.launch(options());
    try {
      server.awaitReady();

      assertThat(TemporalClients.customSearchAttributes(server.address()))
          .containsAllEntriesOf(SearchAttributeRegistration.kilnAttributes());
      assertThat(server.uiUrl()).contains("http://localhost:" + uiPort);
      assertThat(httpStatus(server.uiUrl().orElseThrow())).isEqualTo(200);
      Map<String, String> ours = System.getenv();
      int halfTheCores = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
      assertThat(HostProcesses.environment(server.pid()))
          .as("the server's Go runtime (TemporalDevServer.goRuntime)")
          .contains(
              "GOGC=" + ours.getOrDefault("GOGC", "400"),
              "GOMAXPROCS=" + ours.getOrDefault("GOMAXPROCS", Integer.toString(halfTheCores)));
    } finally {
      server.close();
    }
    assertGone(server.pid());
  }

  @Test
  void keepsRunsAcrossARestartOnTheSameDatabase() {
    String workflowId = "kiln-dev-stack-it-" + UUID.randomUUID();
    TemporalDevServer first = TemporalDevServer.launch(options());
    try {
      first.awaitReady();
      TemporalClients.startProbe(first.address(), workflowId);
      assertThat(db.resolveSibling("temporal.db-wal"))
          .as(
              "commits go to a write-ahead log, not each to the disk (TemporalDevServer.SQLITE_PRAGMAS)")
          .exists();
    } finally {
      first.close();
    }
    assertGone(first.pid());

    TemporalDevServer second = TemporalDevServer.launch(options());
    try {
      second.awaitReady();

      WorkflowExecutionDescription run = TemporalClients.describe(second.address(), workflowId);
      assertThat(run.getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      assertThat(run.getTypedSearchAttributes().get(KilnSearchAttributes.REPO))
          .isEqualTo("file:///it/repo");
    } finally {
      second.close();
    }
    assertGone(second.pid());
  }

  @Test
  void registersSearchAttributesOnADatabaseCreatedWithoutThem() throws Exception {
    // A database from before Kiln had these attributes: --search-attribute only applies when the
    // namespace is created, so they have to be added through the operator service.
    Process plain =
        new ProcessBuilder(
                cli.toString(),
                "server",
                "start-dev",
                "--headless",
                "--db-filename",
                db.toString(),
                "--ip",
                "127.0.0.1",
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("plain.log").toFile())
            .start();
    try {
      TemporalProbe.awaitNamespace(
          "127.0.0.1:" + port,
          "default",
          Duration.ofSeconds(60),
          () -> plain.waitFor(100, TimeUnit.MILLISECONDS));
      assertThat(TemporalClients.customSearchAttributes("127.0.0.1:" + port))
          .doesNotContainKey("KilnRepo");
    } finally {
      plain.destroy();
      assertThat(plain.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    TemporalDevServer server = TemporalDevServer.launch(options());
    try {
      server.awaitReady();

      assertThat(TemporalClients.customSearchAttributes(server.address()))
          .containsAllEntriesOf(SearchAttributeRegistration.kilnAttributes());
    } finally {
      server.close();
    }
  }

  @Test
  void endsAServerThatACrashedDevStackLeftBehind() {
    TemporalDevServer orphan = TemporalDevServer.launch(options());
    TemporalDevServer next = null;
    try {
      orphan.awaitReady();

      // Same pid file and ports, as after a SIGKILL-ed dev stack: launch must clear the way.
      next = TemporalDevServer.launch(options());
      next.awaitReady();

      assertThat(ProcessHandle.of(orphan.pid()).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(ProcessHandle.of(next.pid()).map(ProcessHandle::isAlive)).contains(true);
    } finally {
      if (next != null) {
        next.close();
      }
      orphan.close();
    }
  }

  @Test
  void aKilledServerIsRestartedOnTheSameFileAndPortWithItsRuns() throws Exception {
    String workflowId = "kiln-dev-stack-it-" + UUID.randomUUID();
    TemporalDevServer server = TemporalDevServer.launch(options());
    try {
      server.awaitReady();
      TemporalClients.startProbe(server.address(), workflowId);
      SupervisedChild child = server.supervised().orElseThrow();
      var exited = child.exited();
      long killed = server.pid();

      ProcessHandle.of(killed).orElseThrow().destroyForcibly();

      assertThat(exited.get(10, TimeUnit.SECONDS))
          .isEqualTo("exit status 137, killed by signal 9 (SIGKILL), pid " + killed);
      child.restart();
      assertThat(server.pid()).isNotEqualTo(killed);
      assertThat(server.address()).isEqualTo("127.0.0.1:" + port);
      assertThat(TemporalClients.describe(server.address(), workflowId).getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      assertThat(child.exited()).isNotDone();
    } finally {
      server.close();
    }
    assertGone(server.pid());
  }

  /** The server process, and anything it started, are gone, and its ports are free again. */
  private void assertGone(long pid) {
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(ProcessHandle.current().descendants())
        .noneMatch(p -> p.info().commandLine().orElse("").contains(db.toString()));
    assertThatCode(() -> Ports.requireFree("127.0.0.1", port, "gRPC", "-"))
        .doesNotThrowAnyException();
    assertThatCode(() -> Ports.requireFree("127.0.0.1", uiPort, "UI", "-"))
        .doesNotThrowAnyException();
  }

  private static int httpStatus(String url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
