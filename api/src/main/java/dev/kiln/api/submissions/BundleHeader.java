package dev.kiln.api.submissions;

import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.submission.LocalSubmissions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text header of a git bundle ({@code # v2 git bundle}, then one {@code <sha> <ref>} line per
 * ref, then an empty line): which commit a submission builds. The api reads no further; the worker
 * that unpacks the bundle checks that its objects hash to that commit.
 */
final class BundleHeader {

  /** A header longer than this is not a submission's (it has one ref). */
  static final int MAX_HEADER = 16 * 1024;

  private BundleHeader() {}

  /**
   * The sha of the bundle's one ref.
   *
   * @throws ApiException 400 when the file is no complete git bundle of exactly one commit
   */
  static String commitOf(Path bundle) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(bundle)) {
      head = in.readNBytes(MAX_HEADER);
    }
    String text = new String(head, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\n\n");
    if (end < 0) {
      throw notABundle("no end of header within " + MAX_HEADER + " bytes");
    }
    List<String> lines = List.of(text.substring(0, end).split("\n"));
    if (!lines.get(0).equals("# v2 git bundle")) {
      throw notABundle("it does not start with \"# v2 git bundle\"");
    }
    List<String> refs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.startsWith("-")) {
        throw notABundle(
            "it needs commits the server does not have (" + line.substring(1).strip() + ")");
      }
      refs.add(line);
    }
    if (refs.size() != 1) {
      throw notABundle("it carries " + refs.size() + " refs, not the one snapshot commit");
    }
    String sha = refs.get(0).split(" ", 2)[0];
    if (!LocalSubmissions.isFullSha(sha)) {
      throw notABundle("its ref names no commit id");
    }
    return sha;
  }

  private static ApiException notABundle(String why) {
    return ApiException.badRequest(
        "the body is not a git bundle of one snapshot commit: "
            + why
            + " (kiln rebuild DIR makes one)");
  }
}
