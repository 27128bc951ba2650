package dev.kiln.activities.files;

import java.util.regex.Pattern;

/**
 * A workspace-relative glob as CI users write them: {@code *} and {@code ?} stay within one path
 * segment, {@code **} crosses segments, and {@code **}{@code /} also matches no directory at all,
 * so {@code **}{@code /target/surefire-reports/TEST-*.xml} finds a single-module project's reports
 * at {@code target/…}. {@code {a,b}} and {@code [abc]} work as usual. The JDK's glob matcher
 * differs exactly there ({@code **}{@code /} needs at least one directory), hence this class.
 */
public final class Glob {

  private final String glob;
  private final Pattern regex;

  private Glob(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
  }

  /**
   * @throws IllegalArgumentException for a pattern that could reach outside the workspace
   */
  public static Glob of(String glob) {
    if (glob.isBlank() || glob.startsWith("/") || ("/" + glob + "/").contains("/../")) {
      throw new IllegalArgumentException("report glob must stay inside the workspace: " + glob);
    }
    return new Glob(glob, Pattern.compile(toRegex(glob)));
  }

  /** Whether {@code relativePath} (separated by {@code /}) matches. */
  public boolean matches(String relativePath) {
    return regex.matcher(relativePath).matches();
  }

  private static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    boolean inBraces = false;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        re.append("(?:.*/)?");
        i += 2;
      } else if (glob.startsWith("**", i)) {
        re.append(".*");
        i += 1;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '{' && !inBraces) {
        re.append("(?:");
        inBraces = true;
      } else if (c == '}' && inBraces) {
        re.append(')');
        inBraces = false;
      } else if (c == ',' && inBraces) {
        re.append('|');
      } else if (c == '[') {
        int close = glob.indexOf(']', i + 2);
        if (close < 0) {
          re.append("\\[");
        } else {
          String set = glob.substring(i + 1, close).replace("\\", "\\\\");
          re.append('[').append(set.startsWith("!") ? "^" + set.substring(1) : set).append(']');
          i = close;
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (inBraces) {
      throw new IllegalArgumentException("unclosed '{' in glob: " + glob);
    }
    return re.toString();
  }

  @Override
  public String toString() {
    return glob;
  }
}
