package dev.kiln.dev;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which Temporal server the dev stack gets: the one named by {@code KILN_TEMPORAL_ADDRESS};
 * else a dev server from the {@code temporal} CLI, installing the CLI with Go if need be; else,
 * unless that is forbidden, the in-process test server.
 */
final class TemporalProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TemporalProvisioner.class);

  private final DevStackConfig config;
  private final KilnHome home;
  private final Map<String, String> env;
  private final Path userHome;

  TemporalProvisioner(
      DevStackConfig config, KilnHome home, Map<String, String> env, Path userHome) {
    this.config = config;
    this.home = home;
    this.env = env;
    this.userHome = userHome;
  }

  /** Starts (or names) the server; the caller still has to {@link TemporalService#awaitReady}. */
  TemporalService provision() {
    if (config.temporalAddress().isPresent()) {
      return new ExternalTemporal(config.temporalAddress().get(), config.temporalUiUrl());
    }
    Optional<Path> found = TemporalCli.locate(env.get("PATH"), home.bin(), userHome);
    String whyNone = "";
    if (found.isEmpty()) {
      log.info(
          "No Temporal CLI on PATH, in {} or in {}",
          home.bin(),
          userHome.resolve("go").resolve("bin"));
      TemporalCliInstaller.Result installed =
          new TemporalCliInstaller(env, home.bin()).installIfPossible();
      found = installed.cli();
      whyNone = installed.reason();
    }
    int port = Ports.orFree(config.temporalPort());
    if (found.isPresent()) {
      Path cli = found.get();
      log.info("Temporal CLI: {} ({})", cli, TemporalCli.version(cli).orElse("version unknown"));
      return TemporalDevServer.launch(
          new TemporalDevServer.Options(
              cli,
              home.temporalDb(),
              port,
              Ports.orFree(config.temporalUiPort()),
              home.logs().resolve("temporal.log"),
              home.temporalPidFile()));
    }
    if (config.requireTemporalCli()) {
      throw new IllegalStateException(
          "No Temporal CLI on PATH, in "
              + home.bin()
              + " or in ~/go/bin, and it could not be installed: "
              + whyNone
              + ". The in-process test server is not allowed here"
              + " (KILN_REQUIRE_TEMPORAL_CLI=true, or CI=true). Install the CLI: "
              + String.join("; ", TemporalCliInstaller.manualInstallHint()));
    }
    log.warn("Could not install the Temporal CLI: {}", whyNone);
    return InProcessTemporal.start(port);
  }
}
