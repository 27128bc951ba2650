package dev.kiln.api.rebuild;

/**
 * A lane is where runs supersede each other: one repository, one branch, one architecture
 * (docs/architecture.md). Written {@code <repo>#<ref>@<arch>}, with {@code HEAD} standing for the
 * default branch (git names no branch {@code HEAD}, so it cannot collide with a real one).
 */
public final class Lanes {

  static final String DEFAULT_BRANCH = "HEAD";

  private Lanes() {}

  private static final java.util.regex.Pattern SHA =
      java.util.regex.Pattern.compile("[0-9a-f]{7,40}");

  /**
   * Whether {@code ref} names a commit rather than a branch. A branch spelled like a sha (rare) is
   * taken for a commit and gets a lane of its own: nothing is lost but supersede.
   */
  static boolean isBareSha(String ref) {
    return ref != null && SHA.matcher(ref).matches();
  }

  public static String of(String repo, String ref, String arch) {
    return repo + "#" + (ref == null ? DEFAULT_BRANCH : ref) + "@" + arch;
  }

  /**
   * The lane of a merge request's builds: {@code <repo>#mr:<number>@<arch>}. A colon is never in a
   * git branch name, so no branch's lane can be it.
   */
  public static String ofMergeRequest(String repo, String mr, String arch) {
    return repo + "#mr:" + mr + "@" + arch;
  }
}
