package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's own cgroups are, read from {@code /proc/self/mountinfo} and {@code
 * /proc/self/cgroup}: for cgroup v1 the directory of its cgroup in each controller's hierarchy, for
 * cgroup v2 the directory of its cgroup in the unified hierarchy. A machine may have both (v1
 * controllers plus an empty v2 hierarchy, as systemd's "hybrid" layout does).
 *
 * @param v1 controller name ({@code memory}, {@code cpu} …) → the directory of this process's
 *     cgroup in that controller's hierarchy
 * @param v2 the directory of this process's cgroup in the unified hierarchy, if one is mounted
 */
record CgroupMounts(Map<String, Path> v1, Optional<Path> v2) {

  CgroupMounts {
    v1 = Map.copyOf(v1);
  }

  /** The cgroups of the process whose {@code mountinfo} and {@code cgroup} files these are. */
  static CgroupMounts parse(String mountinfo, String selfCgroup) {
    Map<String, String> v1Paths = new LinkedHashMap<>();
    String v2Path = null;
    for (String line : selfCgroup.split("\n")) {
      String[] parts = line.split(":", 3);
      if (parts.length < 3) {
        continue;
      }
      if (parts[0].equals("0") && parts[1].isEmpty()) {
        v2Path = parts[2];
      } else {
        for (String controller : parts[1].split(",")) {
          if (!controller.isEmpty()) {
            v1Paths.put(controller, parts[2]);
          }
        }
      }
    }
    Map<String, Path> v1 = new LinkedHashMap<>();
    Optional<Path> v2 = Optional.empty();
    for (String line : mountinfo.split("\n")) {
      Optional<Mount> mount = Mount.parse(line);
      if (mount.isEmpty()) {
        continue;
      }
      Mount m = mount.get();
      if (m.type().equals("cgroup2") && v2Path != null && v2.isEmpty()) {
        v2 = m.directoryOf(v2Path);
      } else if (m.type().equals("cgroup")) {
        for (String option : m.superOptions()) {
          String path = v1Paths.get(option);
          if (path != null) {
            m.directoryOf(path).ifPresent(dir -> v1.putIfAbsent(option, dir));
          }
        }
      }
    }
    return new CgroupMounts(v1, v2);
  }

  /** One line of mountinfo: the fields that matter here. */
  private record Mount(String root, Path mountPoint, String type, List<String> superOptions) {

    static Optional<Mount> parse(String line) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        return Optional.empty();
      }
      String[] before = line.substring(0, dash).split(" ");
      String[] after = line.substring(dash + 3).split(" ");
      if (before.length < 5 || after.length < 3) {
        return Optional.empty();
      }
      return Optional.of(
          new Mount(
              unescape(before[3]),
              Path.of(unescape(before[4])),
              after[0],
              List.of(after[2].split(","))));
    }

    /**
     * The directory of cgroup {@code path} under this mount, if the mount shows it: a container may
     * mount only its own subtree, whose root is then a prefix of the path.
     */
    Optional<Path> directoryOf(String path) {
      if (root.equals("/")) {
        return Optional.of(resolve(mountPoint, path));
      }
      if (path.equals(root) || path.startsWith(root + "/")) {
        return Optional.of(resolve(mountPoint, path.substring(root.length())));
      }
      return Optional.empty();
    }

    private static Path resolve(Path mountPoint, String path) {
      String relative = path.replaceFirst("^/+", "");
      return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    private static String unescape(String field) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < field.length(); i++) {
        char c = field.charAt(i);
        if (c == '\\'
            && i + 3 < field.length()
            && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
          out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
          i += 3;
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }
}
