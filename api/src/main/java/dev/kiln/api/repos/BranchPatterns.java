package dev.kiln.api.repos;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Branch name patterns as a registered repository writes them: {@code *} stands for any characters
 * but {@code /}, {@code **} for any characters at all, everything else for itself ({@code main},
 * {@code release/*}, {@code feature/**}).
 */
public final class BranchPatterns {

  static final int MAX_LENGTH = 255;

  private BranchPatterns() {}

  public static boolean matches(String pattern, String branch) {
    return branch != null && regex(pattern).matcher(branch).matches();
  }

  public static boolean matchesAny(List<String> patterns, String branch) {
    return patterns.stream().anyMatch(p -> matches(p, branch));
  }

  /** Why {@code pattern} is refused, or {@code null} when it is fine. */
  static String problem(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      return "must not be empty";
    }
    if (pattern.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    if (pattern
        .codePoints()
        .anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return "must not contain whitespace or control characters";
    }
    return null;
  }

  private static Pattern regex(String pattern) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      if (pattern.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (pattern.charAt(i) == '*') {
        regex.append("[^/]*");
        i++;
      } else {
        int next = pattern.indexOf('*', i);
        int end = next < 0 ? pattern.length() : next;
        regex.append(Pattern.quote(pattern.substring(i, end)));
        i = end;
      }
    }
    return Pattern.compile(regex.toString());
  }
}
