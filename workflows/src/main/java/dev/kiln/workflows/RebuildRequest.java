package dev.kiln.workflows;

import java.util.List;

/**
 * What the api asks a {@code RebuildWorkflow} to build. The api has already validated every field
 * and recorded the run, so {@code runId} exists in the ledger.
 *
 * @param ref branch, tag, full or short sha; {@code null} means the default branch
 * @param priority {@code low|normal|high|urgent}
 * @param target free text passed to commands as {@code KILN_TARGET}
 * @param args passed to commands as {@code KILN_ARGS} (space separated)
 */
public record RebuildRequest(
    long runId,
    String repo,
    String ref,
    String arch,
    String mr,
    String priority,
    String target,
    List<String> args) {

  public RebuildRequest {
    args = args == null ? List.of() : List.copyOf(args);
  }
}
