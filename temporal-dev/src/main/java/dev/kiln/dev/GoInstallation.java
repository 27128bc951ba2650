package dev.kiln.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback when pip or the wheel is missing: builds the Temporal CLI from source with {@code go
 * install github.com/temporalio/cli/cmd/temporal@v1.5.1}, which takes minutes. That release's
 * go.mod asks for Go 1.25, so an older toolchain is not tried.
 */
final class GoInstallation implements TemporalCliInstallation {

  private static final Logger log = LoggerFactory.getLogger(GoInstallation.class);

  static final GoVersion MINIMUM_GO = new GoVersion(1, 25);

  /** A first build downloads ~200 modules and compiles the server; this is generous. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern GO_VERSION = Pattern.compile("go(\\d+)\\.(\\d+)");

  /** {@code go install -v} prints each package it builds as a bare import path. */
  private static final Pattern PACKAGE_LINE = Pattern.compile("[\\w.~+\\-]+(/[\\w.~+\\-]+)*");

  /** The official tarball's location, often missing from PATH in non-login shells. */
  static final List<Path> USUAL_GO_DIRECTORIES = List.of(Path.of("/usr/local/go/bin"));

  private final Map<String, String> env;
  private final List<Path> extraGoDirectories;

  /**
   * @param env whose {@code PATH} is searched for {@code go}
   * @param extraGoDirectories searched after {@code PATH}
   */
  GoInstallation(Map<String, String> env, List<Path> extraGoDirectories) {
    this.env = env;
    this.extraGoDirectories = extraGoDirectories;
  }

  record GoVersion(int major, int minor) {
    boolean isAtLeast(GoVersion other) {
      return major != other.major ? major > other.major : minor >= other.minor;
    }

    @Override
    public String toString() {
      return "go" + major + "." + minor;
    }
  }

  /** Parses {@code go env GOVERSION} output such as {@code go1.25.3} or {@code go1.26rc1}. */
  static Optional<GoVersion> parseGoVersion(String text) {
    Matcher m = GO_VERSION.matcher(text);
    return m.find()
        ? Optional.of(new GoVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
        : Optional.empty();
  }

  @Override
  public TemporalCliResolver.Source source() {
    return TemporalCliResolver.Source.GO;
  }

  @Override
  public String cacheEntry() {
    return "go-" + TemporalCli.GO_VERSION;
  }

  Optional<Path> findGo() {
    List<Path> dirs = new ArrayList<>(TemporalCli.pathDirectories(env.get("PATH")));
    dirs.addAll(extraGoDirectories);
    return dirs.stream()
        .map(dir -> dir.resolve(TemporalCli.isWindows() ? "go.exe" : "go"))
        .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
        .findFirst();
  }

  @Override
  public Optional<String> unavailableBecause() throws InterruptedException {
    Optional<Path> go = findGo();
    if (go.isEmpty()) {
      return Optional.of("Go is not installed (no 'go' on PATH)");
    }
    Optional<GoVersion> version = goVersion(go.get());
    if (version.isEmpty()) {
      return Optional.of(go.get() + " did not report its version");
    }
    if (!version.get().isAtLeast(MINIMUM_GO)) {
      return Optional.of(
          go.get()
              + " is "
              + version.get()
              + "; building the Temporal CLI needs "
              + MINIMUM_GO
              + " or newer");
    }
    return Optional.empty();
  }

  private Optional<GoVersion> goVersion(Path go) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    try {
      InstallCommand.Outcome outcome =
          InstallCommand.run(
              List.of(go.toString(), "env", "GOVERSION"),
              Map.of(),
              PROBE_TIMEOUT,
              "asking Go for its version",
              line -> {
                out.append(line).append('\n');
                return false;
              });
      return outcome.succeeded() ? parseGoVersion(out.toString()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Downloads and errors go to the console as they come. Every built package would be hundreds of
   * lines, so those are counted and the count reported now and then.
   */
  @Override
  public void into(Path scratch) throws IOException, InterruptedException {
    Path go = findGo().orElseThrow(() -> new IOException("no go on PATH"));
    Path bin = Files.createDirectories(scratch.resolve("bin"));
    String target = TemporalCli.GO_PACKAGE + "@" + TemporalCli.GO_VERSION;
    log.info(
        "Installing the Temporal CLI {} with {} (once per user; the build takes a few minutes)",
        TemporalCli.GO_VERSION,
        go);
    log.info("$ GOBIN={} {} install -v {}", bin, go, target);
    AtomicInteger packages = new AtomicInteger();
    InstallCommand.Outcome outcome =
        InstallCommand.run(
            List.of(go.toString(), "install", "-v", target),
            Map.of("GOBIN", bin.toString()),
            INSTALL_TIMEOUT,
            "building the Temporal CLI",
            line -> {
              if (!PACKAGE_LINE.matcher(line).matches()) {
                log.info("  {}", line);
                return true;
              }
              int built = packages.incrementAndGet();
              if (built % 100 == 0) {
                log.info("  compiled {} packages", built);
                return true;
              }
              return false;
            });
    if (!outcome.succeeded()) {
      throw new IOException(outcome.failure());
    }
  }
}
