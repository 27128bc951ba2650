package dev.kiln.api.rebuild;

/**
 * A lane is where runs supersede each other: one repository, one branch, one architecture
 * (DESIGN.md §4). Written {@code <repo>#<ref>@<arch>}, with {@code HEAD} standing for the default
 * branch (git names no branch {@code HEAD}, so it cannot collide with a real one).
 */
final class Lanes {

  static final String DEFAULT_BRANCH = "HEAD";

  private Lanes() {}

  static String of(String repo, String ref, String arch) {
    return repo + "#" + (ref == null ? DEFAULT_BRANCH : ref) + "@" + arch;
  }
}
