package dev.kiln.api.artifacts;

import dev.kiln.api.web.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Artifact paths come from build workers, which run untrusted code: a path must stay inside its
 * run's directory of the store whatever it contains.
 */
public final class ArtifactPaths {

  static final int MAX_LENGTH = 1024;

  private ArtifactPaths() {}

  /**
   * Checks a workspace-relative path and returns its normal form: {@code /} separators, no {@code
   * .} or empty segments.
   *
   * @throws ApiException 400 naming what is wrong
   */
  public static String normalise(String path) {
    if (path == null || path.isEmpty()) {
      throw ApiException.badRequest("path is required");
    }
    if (path.length() > MAX_LENGTH) {
      throw ApiException.badRequest("path: longer than " + MAX_LENGTH + " characters");
    }
    if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.badRequest("path: must not contain control characters");
    }
    if (path.indexOf('\\') >= 0) {
      throw ApiException.badRequest("path: must use / as separator, not \\");
    }
    if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
      throw ApiException.badRequest("path: must be relative, not absolute: \"" + path + "\"");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        throw ApiException.badRequest("path: must not contain \"..\": \"" + path + "\"");
      }
      if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
    }
    if (segments.isEmpty() || path.endsWith("/")) {
      throw ApiException.badRequest("path: must name a file: \"" + path + "\"");
    }
    return String.join("/", segments);
  }

  /**
   * The store key {@code runs/<run>/<path>} for a normalised path: each run's artifacts in a
   * directory of their own, which no other run ever writes to. (Before, artifacts were keyed by
   * {@code <sha>/<arch>/<path>}, so a second run of the same sha replaced a finished run's file;
   * rows from then keep their keys.)
   */
  public static String storageKey(long runId, String normalisedPath) {
    if (runId < 1) {
      throw new IllegalStateException("refusing storage key for run " + runId);
    }
    return runDirectory(runId) + "/" + normalisedPath;
  }

  /** The store directory of a run's artifacts, relative to the store's root. */
  public static String runDirectory(long runId) {
    return "runs/" + runId;
  }
}
