package dev.kiln.workflows.submission;

import java.util.regex.Pattern;

/**
 * A local submission is a run of a working tree uploaded to {@code POST /submissions} (a git bundle
 * of one snapshot commit) instead of a commit fetched from a git remote. Its {@code repo} is {@code
 * local:<name>}, {@code <name>} the uploaded directory's name: that is how the run's request, its
 * fetch and its view say "this is a submission", with no field of its own. The repository policy
 * accepts only {@code https}, {@code http} and {@code file} URLs, so no git remote can be mistaken
 * for one, and the workflows carry the request as they carry every other.
 *
 * <p>Its {@code ref} is the snapshot commit's full sha, which the worker checks the uploaded bundle
 * against. Its lane, {@code local:<name>#local@<arch>}, is one no branch can have (no URL starts
 * {@code local:}); submissions never supersede each other there, each builds on its own.
 */
public final class LocalSubmissions {

  /** What a submission's {@code repo} starts with. */
  public static final String SCHEME = "local:";

  /** The media type of the upload and of the worker's download: a git bundle (v2). */
  public static final String MEDIA_TYPE = "application/x-git-bundle";

  /** The longest name kept; longer ones are cut. */
  public static final int MAX_NAME_LENGTH = 100;

  private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]+");

  private LocalSubmissions() {}

  /** Whether {@code repo} is a submission's rather than a git remote's. */
  public static boolean isSubmission(String repo) {
    return repo != null && repo.startsWith(SCHEME);
  }

  /** {@code local} for a submission, {@code git} for a run fetched from a remote. */
  public static String source(String repo) {
    return isSubmission(repo) ? "local" : "git";
  }

  /**
   * The {@code repo} of a submission of a directory called {@code name}: characters other than
   * letters, digits, {@code .}, {@code _} and {@code -} become {@code -}; a blank name is {@code
   * workspace}.
   */
  public static String repo(String name) {
    return SCHEME + safeName(name);
  }

  /** The lane of a submission of {@code repo} (as {@link #repo} makes it) on {@code arch}. */
  public static String lane(String repo, String arch) {
    return repo + "#local@" + arch;
  }

  /** A directory name as a submission's repo keeps it. */
  static String safeName(String name) {
    String safe = name == null ? "" : UNSAFE.matcher(name.strip()).replaceAll("-");
    safe = safe.replaceAll("^[.-]+", "");
    if (safe.length() > MAX_NAME_LENGTH) {
      safe = safe.substring(0, MAX_NAME_LENGTH);
    }
    return safe.isEmpty() ? "workspace" : safe;
  }

  /** Whether {@code sha} is a full, lower-case commit id, as a submission's ref must be. */
  public static boolean isFullSha(String sha) {
    return sha != null && FULL_SHA.matcher(sha).matches();
  }
}
