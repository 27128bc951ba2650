package dev.kiln.api.artifacts;

import dev.kiln.api.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Artifact paths come from build workers, which run untrusted code: a path must stay inside its
 * run's directory of the store whatever it contains.
 */
public final class ArtifactPaths {

  static final int MAX_LENGTH = 1024;

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");
  private static final Pattern ARCH = Pattern.compile("[a-z0-9_]{1,32}");

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
   * The store key {@code <sha>/<arch>/<path>} for a normalised path.
   *
   * @throws IllegalStateException when sha or arch could escape their directory level (they come
   *     from the ledger, not the request, so this is a server fault)
   */
  public static String storageKey(String sha, String arch, String normalisedPath) {
    if (!SHA.matcher(sha).matches() || !ARCH.matcher(arch).matches()) {
      throw new IllegalStateException("refusing storage key for sha " + sha + " and arch " + arch);
    }
    return sha + "/" + arch + "/" + normalisedPath;
  }
}
