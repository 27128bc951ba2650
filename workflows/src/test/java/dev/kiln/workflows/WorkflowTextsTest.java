package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowTextsTest {

  private static RebuildRequest request(String repo, String ref) {
    return new RebuildRequest(42, repo, ref, "x86_64", null, "normal", null, List.of(), 0);
  }

  @Test
  void keepsTheStaticSummaryWithin200BytesAndRefAndArchVisible() {
    String longRepo = "https://example.com/" + "ü".repeat(300) + ".git";
    String summary = WorkflowTexts.summary(request(longRepo, "feature/x"));

    assertThat(summary.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
    assertThat(summary).startsWith("…").endsWith("@feature/x x86_64");
    assertThat(WorkflowTexts.summary(request("https://example.com/a.git", null)))
        .isEqualTo("https://example.com/a.git@HEAD x86_64");
  }

  @Test
  void aLanesRunIsNamedByItsIdAndShortenedTheSameWay() {
    String longRepo = "https://example.com/" + "x".repeat(300) + ".git";
    String summary = WorkflowTexts.laneRunSummary(request(longRepo, "main"));

    assertThat(summary.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
    assertThat(summary).startsWith("run 42: …").endsWith("x.git@main x86_64");
    assertThat(WorkflowTexts.laneRunSummary(request("https://example.com/a.git", "main")))
        .isEqualTo("run 42: https://example.com/a.git@main x86_64");
  }

  @Test
  void aRefTooLongForAnySummaryIsCutToTheLimit() {
    String summary = WorkflowTexts.laneRunSummary(request("https://e.com/a.git", "r".repeat(400)));

    assertThat(summary.getBytes(StandardCharsets.UTF_8).length).isEqualTo(200);
    assertThat(summary).startsWith("run 42: https://e.com/a.git@rrr");
  }

  @Test
  void linksTheRunViewFromTheStaticDetails() {
    String details =
        WorkflowTexts.details(
            request("https://example.com/a.git", "main"), "http://api:8080/runs/42");

    assertThat(details).contains("[run view](http://api:8080/runs/42)");
    assertThat(details).contains("[log](http://api:8080/runs/42/logs)");
  }

  @Test
  void prioritiesAreTemporalKeysOneToFourAndAnUnknownOneIsNormal() {
    assertThat(RunPriority.temporalKeyOf("urgent")).isEqualTo(1);
    assertThat(RunPriority.temporalKeyOf("high")).isEqualTo(2);
    assertThat(RunPriority.temporalKeyOf("normal")).isEqualTo(3);
    assertThat(RunPriority.temporalKeyOf("low")).isEqualTo(4);
    assertThat(RunPriority.temporalKeyOf(null)).isEqualTo(3);
    assertThat(RunPriority.wireNames()).isEqualTo("low, normal, high, urgent");
  }
}
