package dev.kiln.activities.summary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Shortens paths in output to what a developer recognises: {@code src/Foo.java}, not {@code
 * /var/lib/kiln/workspaces/run-42/src/Foo.java}. The workspace path is an accident of the host.
 */
final class WorkspacePaths {

  private final Set<String> prefixes = new LinkedHashSet<>();

  /**
   * @param workspace null to leave paths alone
   */
  WorkspacePaths(Path workspace) {
    if (workspace == null) {
      return;
    }
    add(workspace.toAbsolutePath().normalize());
    try {
      // Tools print the resolved path when the workspace is reached through a symlink.
      add(workspace.toRealPath());
    } catch (IOException e) {
      // gone or never created: the given path is all there is
    }
  }

  private void add(Path dir) {
    if (dir.getParent() != null) {
      // Kotlin prints file:///ws/..., so drop the URI scheme along with the directory.
      prefixes.add("file://" + dir + "/");
      prefixes.add(dir + "/");
    }
  }

  /** {@code text} with every workspace-absolute path made relative to the workspace. */
  String relativize(String text) {
    String result = text;
    for (String prefix : prefixes) {
      result = result.replace(prefix, "");
    }
    return result;
  }

  /** A location as shown in a summary: relative, without a leading {@code ./}. */
  String tidy(String location) {
    String relative = relativize(location);
    return relative.startsWith("./") ? relative.substring(2) : relative;
  }
}
