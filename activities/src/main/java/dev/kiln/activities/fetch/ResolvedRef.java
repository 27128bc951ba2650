package dev.kiln.activities.fetch;

/**
 * What a ref named, in a given mirror.
 *
 * @param sha the full commit id
 * @param branch the branch the ref went through, or {@code null} for a tag or a sha
 * @param kind how the ref was read
 */
public record ResolvedRef(String sha, String branch, Kind kind) {

  /** How a ref string was interpreted. */
  public enum Kind {
    /** No ref given: the repository's default branch. */
    DEFAULT_BRANCH,
    BRANCH,
    /** A lightweight or annotated tag, peeled to its commit. */
    TAG,
    /** A full or abbreviated commit id. */
    SHA
  }

  /** The sha shortened the way git prints it, for log lines. */
  public String shortSha() {
    return sha.substring(0, 7);
  }

  /** A log line saying what {@code ref} resolved to, e.g. {@code Resolved main → 9f1c2ab}. */
  public String describe(String ref) {
    return switch (kind) {
      case DEFAULT_BRANCH -> "Resolved default branch " + branch + " → " + shortSha();
      case BRANCH -> "Resolved branch " + ref + " → " + shortSha();
      case TAG -> "Resolved tag " + ref + " → " + shortSha();
      case SHA -> "Resolved " + ref + " → " + shortSha();
    };
  }
}
