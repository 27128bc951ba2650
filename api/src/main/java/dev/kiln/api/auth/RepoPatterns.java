package dev.kiln.api.auth;

import dev.kiln.api.web.LogSafe;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The repositories a token may act on: URL patterns such as {@code https://git.example.com/team/*},
 * where {@code *} stands for any characters but {@code /} and {@code **} for any characters at all;
 * everything else must be equal, as written. No patterns: every repository.
 *
 * <p>A repository URL that could name another path than it seems to never matches a pattern: one
 * with a {@code .} or {@code ..} segment (git and web servers resolve those, so {@code
 * team/x/../../admin/y} is not in {@code team/**}), a percent escape (which a server decodes) or a
 * backslash.
 *
 * <p>Each pattern is also a regular expression that Java and PostgreSQL read alike ({@link
 * #regexes()}), so lists of runs are filtered in the database by the same rule.
 */
public final class RepoPatterns {

  /** Longest pattern accepted; repository URLs are at most 2048 characters. */
  public static final int MAX_LENGTH = 2048;

  /**
   * Repository URLs that never match a pattern, as a regular expression with the same meaning in
   * Java and in PostgreSQL.
   */
  public static final String AMBIGUOUS = "[%\\\\]|(^|/)[.]{1,2}(/|$)";

  private static final Pattern AMBIGUOUS_PATTERN = Pattern.compile(AMBIGUOUS);

  private static final RepoPatterns ANY = new RepoPatterns(List.of());

  private final List<String> patterns;
  private final List<String> regexes;
  private final List<Pattern> compiled;

  private RepoPatterns(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    this.regexes = this.patterns.stream().map(RepoPatterns::regex).toList();
    this.compiled = regexes.stream().map(Pattern::compile).toList();
  }

  /** Every repository. */
  public static RepoPatterns any() {
    return ANY;
  }

  /**
   * @throws IllegalArgumentException naming the first pattern that is blank, too long or contains
   *     whitespace or control characters
   */
  public static RepoPatterns of(List<String> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      return ANY;
    }
    List<String> checked = new ArrayList<>();
    for (String pattern : patterns) {
      if (pattern == null || pattern.isBlank()) {
        throw new IllegalArgumentException("a repository pattern must not be empty");
      }
      if (pattern.length() > MAX_LENGTH) {
        throw new IllegalArgumentException(
            "repository pattern longer than " + MAX_LENGTH + " characters");
      }
      if (pattern
          .codePoints()
          .anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
        throw new IllegalArgumentException(
            "repository pattern \""
                + LogSafe.escape(pattern)
                + "\" must not contain whitespace or control characters");
      }
      checked.add(pattern);
    }
    return new RepoPatterns(checked);
  }

  public boolean matchesAny() {
    return patterns.isEmpty();
  }

  public boolean matches(String repo) {
    if (patterns.isEmpty()) {
      return true;
    }
    if (repo == null || AMBIGUOUS_PATTERN.matcher(repo).find()) {
      return false;
    }
    return compiled.stream().anyMatch(p -> p.matcher(repo).matches());
  }

  /** The patterns as written. */
  public List<String> patterns() {
    return patterns;
  }

  /** Anchored regular expressions, one per pattern, valid in Java and in PostgreSQL. */
  public List<String> regexes() {
    return regexes;
  }

  /**
   * {@code *} → {@code [^/]*}, {@code **} → {@code .*}; every other character literal. Letters and
   * digits stand for themselves in both engines; any other character is escaped with a backslash,
   * which both read as "this character" (a backslash before a letter would be a class such as
   * {@code \d}).
   */
  static String regex(String pattern) {
    StringBuilder regex = new StringBuilder("^");
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else {
          regex.append("[^/]*");
        }
      } else if (Character.isLetterOrDigit(c) && c < 128) {
        regex.append(c);
      } else if (c < 128) {
        regex.append('\\').append(c);
      } else {
        // beyond ASCII: a literal character in both engines, unescaped
        regex.append(c);
      }
    }
    return regex.append('$').toString();
  }

  @Override
  public String toString() {
    return patterns.isEmpty() ? "every repository" : String.join(", ", patterns);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RepoPatterns other && other.patterns.equals(patterns);
  }

  @Override
  public int hashCode() {
    return patterns.hashCode();
  }
}
