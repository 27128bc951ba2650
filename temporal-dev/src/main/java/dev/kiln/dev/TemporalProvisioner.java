package dev.kiln.dev;

import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which Temporal server the dev stack gets: the one named by {@code KILN_TEMPORAL_ADDRESS};
 * else a dev server from the {@code temporal} CLI, installing the CLI if need be ({@link
 * TemporalCliResolver}); else, unless that is forbidden, the in-process test server.
 */
final class TemporalProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TemporalProvisioner.class);

  private final DevStackConfig config;
  private final KilnHome home;
  private final TemporalCliResolver cliResolver;

  TemporalProvisioner(
      DevStackConfig config, KilnHome home, Map<String, String> env, Path userHome) {
    this(config, home, TemporalCliResolver.forUser(env, userHome));
  }

  TemporalProvisioner(DevStackConfig config, KilnHome home, TemporalCliResolver cliResolver) {
    this.config = config;
    this.home = home;
    this.cliResolver = cliResolver;
  }

  /** Starts (or names) the server; the caller still has to {@link TemporalService#awaitReady}. */
  TemporalService provision() {
    if (config.temporalAddress().isPresent()) {
      return new ExternalTemporal(config.temporalAddress().get(), config.temporalUiUrl());
    }
    TemporalCliResolver.Resolution resolution;
    try {
      resolution = cliResolver.resolve();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while looking for the Temporal CLI", e);
    }
    int port = Ports.orFree(config.temporalPort());
    if (resolution.found().isPresent()) {
      return TemporalDevServer.launch(
          new TemporalDevServer.Options(
              resolution.found().get().cli(),
              home.temporalDb(),
              port,
              Ports.orFree(config.temporalUiPort()),
              home.logs().resolve("temporal.log"),
              home.temporalPidFile()));
    }
    String whyNone = String.join("; ", resolution.whyNone());
    if (config.requireTemporalCli()) {
      throw new IllegalStateException(
          "No Temporal CLI on PATH or in "
              + cliResolver.cache()
              + ", and it could not be installed: "
              + whyNone
              + ". The in-process test server is not allowed here"
              + " (KILN_REQUIRE_TEMPORAL_CLI=true, or CI=true). Install the CLI: "
              + TemporalCli.manualInstallHint());
    }
    log.warn("Could not install the Temporal CLI: {}", whyNone);
    return InProcessTemporal.start(port);
  }
}
