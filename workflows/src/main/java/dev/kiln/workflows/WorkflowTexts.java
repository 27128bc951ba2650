package dev.kiln.workflows;

import java.nio.charset.StandardCharsets;

/**
 * The static summaries and details the Web UI shows for lanes and runs: the api sets them on what
 * it starts, a lane on the runs it starts. Temporal caps a summary at 200 bytes.
 */
public final class WorkflowTexts {

  /** Temporal's limit for a static summary, in bytes. */
  public static final int SUMMARY_MAX_BYTES = 200;

  private WorkflowTexts() {}

  /** The lane workflow's one-line summary, within the Web UI's size limit. */
  public static String laneSummary(String lane) {
    return truncateBytes(lane, SUMMARY_MAX_BYTES - bytes("lane "));
  }

  /**
   * {@code repo@ref arch}, one line: the summary of a run started on its own. A long repository URL
   * is shortened from the left, so that ref and arch, which tell runs of one repository apart, stay
   * visible.
   */
  public static String summary(RebuildRequest request) {
    return summary("", request);
  }

  /** {@code run N: repo@ref arch}: the summary of a run a lane starts, shortened as above. */
  public static String laneRunSummary(RebuildRequest request) {
    return summary("run " + request.runId() + ": ", request);
  }

  private static String summary(String head, RebuildRequest request) {
    String tail = "@" + (request.ref() == null ? "HEAD" : request.ref()) + " " + request.arch();
    String full = head + request.repo() + tail;
    if (bytes(full) <= SUMMARY_MAX_BYTES) {
      return full;
    }
    if (bytes(head) + bytes(tail) + bytes("…") >= SUMMARY_MAX_BYTES) {
      return truncateBytes(full, SUMMARY_MAX_BYTES);
    }
    String repo = request.repo();
    int budget = SUMMARY_MAX_BYTES - bytes(head) - bytes(tail) - bytes("…");
    int start = repo.length();
    while (start > 0 && bytes(repo.substring(start - 1)) <= budget) {
      start--;
    }
    return head + "…" + repo.substring(start) + tail;
  }

  /** Markdown for the workflow's detail page. */
  public static String details(RebuildRequest request, String runUrl) {
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
