package dev.kiln.dev;

import io.temporal.testserver.TestServer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort when no Temporal CLI can be had: the SDK's in-memory test server on the Temporal
 * port. Runs are lost when the dev stack stops, there is no Web UI, and visibility queries ({@code
 * ListWorkflowExecutions}) are not implemented.
 */
final class InProcessTemporal implements TemporalService {

  private static final Logger log = LoggerFactory.getLogger(InProcessTemporal.class);

  private final int port;
  private final TestServer.PortBoundTestServer server;

  private InProcessTemporal(int port, TestServer.PortBoundTestServer server) {
    this.port = port;
    this.server = server;
  }

  static InProcessTemporal start(int port) {
    Ports.requireFree(
        TemporalDevServer.IP, port, "Temporal gRPC", DevStackConfig.TEMPORAL_PORT.env());
    log.warn("**********************************************************************");
    log.warn("** No Temporal CLI: falling back to the in-process Java test server.");
    log.warn("** Runs are NOT durable (lost at every restart) and there is NO Web UI.");
    log.warn("** For the real server: {}", TemporalCli.manualInstallHint());
    log.warn("**********************************************************************");
    // true = time skipping locked off: timers in a dev stack must take real time.
    return new InProcessTemporal(port, TestServer.createPortBoundServer(port, true));
  }

  @Override
  public void awaitReady() {
    // In-process, it serves as soon as start() returns; only the attributes are missing.
    SearchAttributeRegistration.ensure(address(), NAMESPACE);
  }

  @Override
  public String address() {
    return TemporalDevServer.IP + ":" + port;
  }

  @Override
  public Optional<String> uiUrl() {
    return Optional.empty();
  }

  @Override
  public String description() {
    return "in-process Temporal TEST server on " + address() + " (NOT durable, no Web UI)";
  }

  @Override
  public void close() {
    server.close();
  }
}
