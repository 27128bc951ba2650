package dev.kiln.workflows;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.util.List;

/**
 * The search attributes Kiln sets on runs, so operators can filter in the Web UI ({@code
 * KilnRepo="…" AND KilnResult="failed"}). A server must have them registered: the dev stack does it
 * at start; docs/operations.md gives the commands for a real cluster.
 */
public final class KilnSearchAttributes {

  public static final SearchAttributeKey<String> REPO = SearchAttributeKey.forKeyword("KilnRepo");
  public static final SearchAttributeKey<String> BRANCH =
      SearchAttributeKey.forKeyword("KilnBranch");
  public static final SearchAttributeKey<String> SHA = SearchAttributeKey.forKeyword("KilnSha");
  public static final SearchAttributeKey<String> ARCH = SearchAttributeKey.forKeyword("KilnArch");
  public static final SearchAttributeKey<String> MR = SearchAttributeKey.forKeyword("KilnMr");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("KilnPhase");
  public static final SearchAttributeKey<String> RESULT =
      SearchAttributeKey.forKeyword("KilnResult");
  public static final SearchAttributeKey<Long> RUN_ID = SearchAttributeKey.forLong("KilnRunId");

  /** Every key above, for registration. */
  public static final List<SearchAttributeKey<?>> ALL =
      List.of(REPO, BRANCH, SHA, ARCH, MR, PHASE, RESULT, RUN_ID);

  private KilnSearchAttributes() {}

  /**
   * What is known of a run before it starts; the run itself upserts sha, phase and result as it
   * moves.
   */
  public static SearchAttributes forQueuedRun(RebuildRequest request) {
    SearchAttributes.Builder attributes =
        SearchAttributes.newBuilder()
            .set(REPO, request.repo())
            .set(BRANCH, request.ref() == null ? "" : request.ref())
            .set(ARCH, request.arch())
            .set(PHASE, Phase.QUEUED.wireName())
            .set(RESULT, Result.BUILDING.wireName())
            .set(RUN_ID, request.runId());
    if (request.mr() != null) {
      attributes.set(MR, request.mr());
    }
    return attributes.build();
  }
}
