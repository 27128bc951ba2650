package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bubblewrap command line that puts one build step into its {@link SandboxLayout}. Pure: it
 * reads no files, so the caller passes only paths that exist (bwrap cannot create mount points on
 * the read-only root).
 *
 * <p>The order of the arguments is the order bwrap builds the mount tree in, and it matters:
 *
 * <ol>
 *   <li>the whole host read-only, with a {@code /dev} and a {@code /proc} of the sandbox's own (its
 *       pid namespace: no worker process is visible);
 *   <li>the step's temporary directory over {@code /tmp};
 *   <li>an empty directory over each hidden one, and an empty file over each hidden file;
 *   <li>the run's home over the worker's home;
 *   <li>read-only views (mirror, toolchains) and the caches, which may lie inside what was hidden;
 *   <li>the workspace, read-write;
 *   <li>the hidden directories remounted read-only, once nothing more is mounted inside them.
 * </ol>
 *
 * <p>Namespaces: user (with further user namespaces disabled), pid, ipc, uts, and net when the step
 * has no network. Every capability is dropped: a build running as root in the sandbox owns no more
 * than its files.
 */
public final class BwrapCommand {

  private BwrapCommand() {}

  /** {@code bwrap} and its options up to and including {@code --}; the command follows. */
  public static List<String> of(Path bwrap, SandboxLayout layout) {
    List<String> args = new ArrayList<>();
    args.add(bwrap.toString());
    args.addAll(
        List.of(
            "--unshare-user",
            "--disable-userns",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts"));
    if (!layout.network()) {
      args.add("--unshare-net");
    }
    args.addAll(List.of("--cap-drop", "ALL"));
    args.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
    for (Path tmp : layout.tmpPaths()) {
      bind(args, "--bind", layout.stepTmp(), tmp);
    }
    List<Path> hidden = outermost(layout.hiddenDirectories(), layout);
    for (Path dir : hidden) {
      args.addAll(List.of("--tmpfs", dir.toString()));
    }
    for (Path file : layout.hiddenFiles()) {
      Path normal = file.toAbsolutePath().normalize();
      if (!coveredBy(normal, hidden)
          && !coveredBy(normal, layout.tmpPaths())
          && !normal.startsWith(layout.home())) {
        bind(args, "--ro-bind", Path.of("/dev/null"), normal);
      }
    }
    bind(args, "--bind", layout.runHome(), layout.home());
    for (Path path : layout.readOnly()) {
      bind(args, "--ro-bind", path, path);
    }
    for (Map.Entry<String, Path> cache : new TreeMap<>(layout.caches()).entrySet()) {
      bind(args, "--bind", cache.getValue(), layout.home().resolve(cache.getKey()));
    }
    bind(args, "--bind", layout.workspace(), layout.workspace());
    for (Path dir : hidden) {
      args.addAll(List.of("--remount-ro", dir.toString()));
    }
    args.addAll(List.of("--chdir", layout.workspace().toString(), "--"));
    return args;
  }

  /**
   * The hidden directories worth a mount of their own: not the root, not a temporary directory or
   * inside one (replaced anyway), not the home or inside it (the run's home replaces it), and not
   * inside another hidden one. Parents first, so a later mount never hides an earlier one.
   */
  static List<Path> outermost(List<Path> dirs, SandboxLayout layout) {
    List<Path> candidates =
        dirs.stream()
            .map(d -> d.toAbsolutePath().normalize())
            .filter(d -> d.getParent() != null)
            .filter(d -> !d.startsWith(layout.home()))
            .filter(d -> layout.tmpPaths().stream().noneMatch(d::startsWith))
            .distinct()
            .sorted(Comparator.comparingInt(Path::getNameCount).thenComparing(Path::toString))
            .toList();
    List<Path> kept = new ArrayList<>();
    for (Path dir : candidates) {
      if (!coveredBy(dir, kept)) {
        kept.add(dir);
      }
    }
    return kept;
  }

  private static boolean coveredBy(Path path, List<Path> dirs) {
    return dirs.stream().anyMatch(path::startsWith);
  }

  private static void bind(List<String> args, String option, Path source, Path target) {
    args.addAll(List.of(option, source.toString(), target.toString()));
  }
}
