package dev.kiln.dev;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Temporal server someone else runs ({@code KILN_TEMPORAL_ADDRESS}); the dev stack starts none.
 */
final class ExternalTemporal implements TemporalService {

  private static final Logger log = LoggerFactory.getLogger(ExternalTemporal.class);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final String address;
  private final Optional<String> uiUrl;

  ExternalTemporal(String address, Optional<String> uiUrl) {
    this.address = address;
    this.uiUrl = uiUrl;
  }

  @Override
  public void awaitReady() {
    log.info("Using the Temporal server at {} (KILN_TEMPORAL_ADDRESS); starting none", address);
    TemporalProbe.awaitNamespace(
        address, NAMESPACE, CONNECT_TIMEOUT, () -> TimeUnit.MILLISECONDS.sleep(500));
    try {
      SearchAttributeRegistration.ensure(address, NAMESPACE);
    } catch (RuntimeException e) {
      // A shared cluster may not let us register them; runs will fail until an operator does.
      log.warn(
          "Could not check or register Kiln's search attributes on {}: {}. Register them with: {}",
          address,
          e.getMessage(),
          createCommands());
    }
  }

  private String createCommands() {
    StringBuilder commands = new StringBuilder();
    SearchAttributeRegistration.kilnAttributes()
        .forEach(
            (name, type) ->
                commands
                    .append("\n  temporal operator search-attribute create --address ")
                    .append(address)
                    .append(" --namespace ")
                    .append(NAMESPACE)
                    .append(" --name ")
                    .append(name)
                    .append(" --type ")
                    .append(SearchAttributeRegistration.cliType(type)));
    return commands.toString();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public Optional<String> uiUrl() {
    return uiUrl;
  }

  @Override
  public String description() {
    return "external Temporal server at " + address;
  }

  @Override
  public void close() {
    // not ours to stop
  }
}
