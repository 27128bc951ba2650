package dev.kiln.api.temporal;

import dev.kiln.workflows.RebuildRequest;
import java.nio.charset.StandardCharsets;

/** The static summary and details the Web UI shows for a run's workflow. */
final class WorkflowTexts {

  /** Temporal's limit for a static summary, in bytes. */
  static final int SUMMARY_MAX_BYTES = 200;

  private WorkflowTexts() {}

  /**
   * {@code repo@ref arch}, one line. A long repository URL is shortened from the left, so that ref
   * and arch, which tell runs of one repository apart, stay visible.
   */
  /** The lane workflow's one-line summary, within the Web UI's size limit. */
  static String laneSummary(String lane) {
    return truncateBytes(lane, SUMMARY_MAX_BYTES - bytes("lane "));
  }

  static String summary(RebuildRequest request) {
    String tail = "@" + (request.ref() == null ? "HEAD" : request.ref()) + " " + request.arch();
    String full = request.repo() + tail;
    if (bytes(full) <= SUMMARY_MAX_BYTES) {
      return full;
    }
    if (bytes(tail) + bytes("…") >= SUMMARY_MAX_BYTES) {
      return truncateBytes(full, SUMMARY_MAX_BYTES);
    }
    String repo = request.repo();
    int budget = SUMMARY_MAX_BYTES - bytes(tail) - bytes("…");
    int start = repo.length();
    while (start > 0 && bytes(repo.substring(start - 1)) <= budget) {
      start--;
    }
    return "…" + repo.substring(start) + tail;
  }

  /** Markdown for the workflow's detail page. */
  static String details(RebuildRequest request, String runUrl) {
    StringBuilder md = new StringBuilder();
    md.append("**Kiln run ")
        .append(request.runId())
        .append("**: [run view](")
        .append(runUrl)
        .append(") · [log](")
        .append(runUrl)
        .append("/logs)\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "repo", request.repo());
    row(md, "ref", request.ref() == null ? "(default branch)" : request.ref());
    row(md, "arch", request.arch());
    row(md, "priority", request.priority());
    if (request.mr() != null) {
      row(md, "merge request", request.mr());
    }
    if (request.target() != null) {
      row(md, "target", request.target());
    }
    if (!request.args().isEmpty()) {
      row(md, "args", String.join(" ", request.args()));
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ")
        .append(name)
        .append(" | `")
        .append(value.replace("`", "'").replace("|", "\\|"))
        .append("` |\n");
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String truncateBytes(String s, int max) {
    int end = s.length();
    while (end > 0 && bytes(s.substring(0, end)) > max) {
      end--;
    }
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
