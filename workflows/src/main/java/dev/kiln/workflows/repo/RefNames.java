package dev.kiln.workflows.repo;

import dev.kiln.workflows.repo.RepositoryRefusedException.Subject;

/**
 * Which refs a run may ask for: a branch, a tag, a {@code refs/...} name or a sha, written as git
 * writes ref names ({@code git check-ref-format}). Revision expressions are not refs: {@code
 * main~1}, {@code main^}, {@code @{yesterday}} and ranges ({@code a..b}) are refused here rather
 * than failing at fetch as "ref not found".
 */
final class RefNames {

  static final int MAX_LENGTH = 255;

  private static final String FORBIDDEN = "~^:?*[\\";

  private RefNames() {}

  /**
   * @param ref {@code null} for the repository's default branch
   */
  static void check(String ref) throws RepositoryRefusedException {
    if (ref == null) {
      return;
    }
    if (ref.isEmpty()) {
      throw refused("must not be empty; leave it out for the default branch");
    }
    if (ref.length() > MAX_LENGTH) {
      throw refused("longer than " + MAX_LENGTH + " characters");
    }
    if (ref.codePoints()
        .anyMatch(c -> c <= ' ' || Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw refused("must not contain whitespace or control characters");
    }
    if (ref.startsWith("-")) {
      throw refused("must not start with \"-\"");
    }
    if (ref.contains("..")) {
      throw refused("must not contain \"..\"");
    }
    for (char c : FORBIDDEN.toCharArray()) {
      if (ref.indexOf(c) >= 0) {
        throw refused(
            "must not contain \""
                + c
                + "\": name a branch, tag or sha, not a revision expression (such as main~1)");
      }
    }
    if (ref.contains("@{") || ref.equals("@")) {
      throw refused("must not contain \"@{\" or be \"@\": name a branch, tag or sha");
    }
    if (ref.startsWith("/") || ref.endsWith("/") || ref.contains("//")) {
      throw refused("must not start or end with \"/\" or contain \"//\"");
    }
    if (ref.endsWith(".")) {
      throw refused("must not end with \".\"");
    }
    for (String component : ref.split("/")) {
      if (component.startsWith(".")) {
        throw refused("no part between slashes may start with \".\"");
      }
      if (component.endsWith(".lock")) {
        throw refused("no part between slashes may end with \".lock\"");
      }
    }
  }

  private static RepositoryRefusedException refused(String reason) {
    return new RepositoryRefusedException(Subject.REF, reason);
  }
}
