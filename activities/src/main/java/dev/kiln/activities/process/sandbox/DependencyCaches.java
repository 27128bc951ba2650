package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dependency caches, one set per repository: {@code $KILN_HOME/caches/<repository>/<tool>}, where
 * {@code <repository>} is the mirror's name (readable host and path plus a hash of the URL without
 * credentials). A build sees its repository's caches where the tools look for them in its home, and
 * no other repository's: one repository's build can reuse its downloads but cannot plant a poisoned
 * artifact in another's.
 *
 * <p>To clear a repository's caches, delete its directory while none of its builds runs; to clear
 * all, delete {@code $KILN_HOME/caches}.
 */
public final class DependencyCaches {

  /** Path inside the home → the cache's directory name. */
  static final Map<String, String> LOCATIONS = locations();

  private final Path root;

  /** Caches under {@code kilnHome/caches}. */
  public DependencyCaches(Path kilnHome) {
    this.root = kilnHome.resolve("caches").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * The caches of the repository named {@code key}, created if new: path inside the home → host
   * directory.
   */
  Map<String, Path> forRepository(String key) throws IOException {
    if (key.isBlank() || key.contains("/") || key.startsWith(".")) {
      throw new IllegalArgumentException("not a cache key: " + key);
    }
    Map<String, Path> caches = new LinkedHashMap<>();
    for (Map.Entry<String, String> location : LOCATIONS.entrySet()) {
      Path dir = root.resolve(key).resolve(location.getValue());
      Files.createDirectories(dir);
      caches.put(location.getKey(), dir);
    }
    return caches;
  }

  /**
   * Variables pointing the tools at those locations inside {@code home}, replacing whatever the
   * worker had (its own caches are not visible in the sandbox).
   */
  static Map<String, String> environment(Path home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GOPATH", home.resolve("go").toString());
    env.put("GOMODCACHE", home.resolve("go/pkg/mod").toString());
    env.put("GOCACHE", home.resolve(".cache/go-build").toString());
    env.put("CARGO_HOME", home.resolve(".cargo").toString());
    env.put("GRADLE_USER_HOME", home.resolve(".gradle").toString());
    env.put("npm_config_cache", home.resolve(".npm").toString());
    return env;
  }

  private static Map<String, String> locations() {
    Map<String, String> locations = new LinkedHashMap<>();
    locations.put(".m2/repository", "maven");
    locations.put(".m2/wrapper", "maven-wrapper");
    locations.put(".gradle/caches", "gradle");
    locations.put(".gradle/wrapper", "gradle-wrapper");
    locations.put(".cargo/registry", "cargo-registry");
    locations.put(".cargo/git", "cargo-git");
    locations.put("go/pkg/mod", "go-mod");
    locations.put(".cache/go-build", "go-build");
    locations.put(".npm", "npm");
    return Map.copyOf(locations);
  }
}
