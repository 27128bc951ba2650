package dev.kiln.activities.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few keys of a {@code Cargo.toml} Kiln needs: {@code [package]} name and version, {@code
 * [workspace.package]} version and {@code [[bin]]} names. A line scan that knows tables and
 * single-line {@code key = "value"} pairs, not a TOML parser; multi-line values are skipped.
 */
final class CargoToml {

  private static final Pattern ARRAY_TABLE = Pattern.compile("^\\[\\[\\s*([^\\]]+?)\\s*]]");
  private static final Pattern TABLE = Pattern.compile("^\\[\\s*([^\\]]+?)\\s*]");
  private static final Pattern PAIR = Pattern.compile("^([A-Za-z0-9_.\\-\"]+)\\s*=\\s*(.+)$");
  private static final Pattern STRING = Pattern.compile("^\"([^\"\\\\]*)\"|^'([^']*)'");
  private static final Pattern INHERITS = Pattern.compile("^\\{\\s*workspace\\s*=\\s*true\\s*}");

  private final Map<String, Map<String, String>> tables = new HashMap<>();
  private final List<Map<String, String>> bins = new ArrayList<>();

  private CargoToml() {}

  static CargoToml parse(String text) {
    CargoToml toml = new CargoToml();
    Map<String, String> current = toml.table("");
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      Matcher arrayTable = ARRAY_TABLE.matcher(line);
      Matcher table = TABLE.matcher(line);
      Matcher pair = PAIR.matcher(line);
      if (arrayTable.find()) {
        current = new HashMap<>();
        if (arrayTable.group(1).equals("bin")) {
          toml.bins.add(current);
        }
      } else if (table.find()) {
        current = toml.table(table.group(1));
      } else if (pair.matches()) {
        current.put(pair.group(1).replace("\"", ""), pair.group(2).strip());
      }
    }
    return toml;
  }

  private Map<String, String> table(String name) {
    return tables.computeIfAbsent(name, k -> new HashMap<>());
  }

  /** Reads without creating: {@link #hasPackage()} must stay false for a virtual manifest. */
  private Map<String, String> existing(String name) {
    return tables.getOrDefault(name, Map.of());
  }

  boolean hasPackage() {
    return tables.containsKey("package");
  }

  String packageName() {
    return string(existing("package").get("name"));
  }

  /**
   * The package version; a version inherited from the workspace ({@code version.workspace = true}
   * or {@code version = { workspace = true }}) resolves to {@code [workspace.package]} in the same
   * file, else null. A virtual manifest (no {@code [package]}) reports the workspace's version.
   */
  String version() {
    Map<String, String> pkg = existing("package");
    String raw = pkg.get("version");
    boolean inherits =
        "true".equals(pkg.get("version.workspace"))
            || (raw != null && INHERITS.matcher(raw).find());
    if (!hasPackage() || inherits) {
      return string(existing("workspace.package").get("version"));
    }
    return string(raw);
  }

  List<String> binNames() {
    List<String> names = new ArrayList<>();
    for (Map<String, String> bin : bins) {
      String name = string(bin.get("name"));
      if (name != null) {
        names.add(name);
      }
    }
    return names;
  }

  /** The value of a quoted string; null for anything else (numbers, tables, arrays). */
  private static String string(String raw) {
    if (raw == null) {
      return null;
    }
    Matcher m = STRING.matcher(raw);
    if (!m.find()) {
      return null;
    }
    return m.group(1) != null ? m.group(1) : m.group(2);
  }
}
