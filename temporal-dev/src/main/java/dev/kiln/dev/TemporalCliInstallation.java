package dev.kiln.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** One way of installing the Temporal CLI into the {@link TemporalCliCache}. */
interface TemporalCliInstallation extends TemporalCliCache.Installation {

  /** What the console calls a CLI installed this way: {@code pip install}, {@code go install}. */
  TemporalCliResolver.Source source();

  /** The cache entry it fills, which names the release: {@code 1.9.1}, {@code go-v1.5.1}. */
  String cacheEntry();

  /** Why it cannot run on this machine; empty when it can. */
  Optional<String> unavailableBecause() throws InterruptedException;

  /** Installs the CLI as {@code scratch/bin/temporal}, with its output on the console. */
  @Override
  void into(Path scratch) throws IOException, InterruptedException;
}
