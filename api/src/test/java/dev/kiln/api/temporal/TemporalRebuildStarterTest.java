package dev.kiln.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TemporalRebuildStarterTest {

  private static RebuildRequest request(String repo, String ref, String mr, String priority) {
    return new RebuildRequest(42, repo, ref, "x86_64", mr, priority, null, List.of(), 300);
  }

  @Test
  void setsOnlyTheSearchAttributesKnownAtStart() {
    WorkflowOptions options =
        TemporalRebuildStarter.options(
            request("https://example.com/app.git", "main", "17", "high"), "http://api/runs/42");

    assertThat(options.getWorkflowId()).isEqualTo("kiln-run-42");
    assertThat(options.getTaskQueue()).isEqualTo("kiln-control");
    var attributes = options.getTypedSearchAttributes();
    assertThat(
            attributes.getUntypedValues().keySet().stream()
                .map(SearchAttributeKey::getName)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "KilnRepo", "KilnBranch", "KilnArch", "KilnMr", "KilnPhase", "KilnResult", "KilnRunId");
    assertThat(attributes.get(KilnSearchAttributes.BRANCH)).isEqualTo("main");
    assertThat(attributes.get(KilnSearchAttributes.PHASE)).isEqualTo("queued");
    assertThat(attributes.get(KilnSearchAttributes.RESULT)).isEqualTo("building");
    assertThat(attributes.get(KilnSearchAttributes.RUN_ID)).isEqualTo(42L);
  }

  @Test
  void usesAnEmptyBranchForTheDefaultBranchAndLeavesMrOutWhenAbsent() {
    var attributes =
        TemporalRebuildStarter.options(
                request("https://example.com/app.git", null, null, "normal"), "http://api/runs/42")
            .getTypedSearchAttributes();

    assertThat(attributes.get(KilnSearchAttributes.BRANCH)).isEmpty();
    assertThat(attributes.containsKey(KilnSearchAttributes.MR)).isFalse();
  }

  @Test
  void mapsPriorityOntoTemporalKeys() {
    assertThat(priorityKey("urgent")).isEqualTo(1);
    assertThat(priorityKey("high")).isEqualTo(2);
    assertThat(priorityKey("normal")).isEqualTo(3);
    assertThat(priorityKey("low")).isEqualTo(4);
  }

  @Test
  void sharesTheBuildQueueByRepositoryWithItsRegisteredWeight() {
    var priority =
        TemporalRebuildStarter.options(
                request("https://example.com/app.git", "main", null, "high")
                    .withFairnessWeight(2.5),
                "http://api/runs/42")
            .getPriority();

    assertThat(priority.getPriorityKey()).isEqualTo(2);
    assertThat(priority.getFairnessKey()).isEqualTo("https://example.com/app");
    assertThat(priority.getFairnessWeight()).isEqualTo(2.5f);
  }

  private static int priorityKey(String priority) {
    return TemporalRebuildStarter.options(
            request("https://example.com/a.git", null, null, priority), "http://api/runs/42")
        .getPriority()
        .getPriorityKey();
  }
}
