package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SummariesTest {

  @Test
  void shortTextIsKept() {
    assertThat(Summaries.fit("3 of 212 tests failed")).isEqualTo("3 of 212 tests failed");
  }

  @Test
  void longTextIsCutToTheLimitWithAnEllipsis() {
    String cut = Summaries.fit("x".repeat(1000));

    assertThat(cut).hasSize(Summaries.MAX_LENGTH).endsWith("x…");
  }

  @Test
  void surrogatePairsAreNeverSplit() {
    String cut = Summaries.fit("a".repeat(8) + "😀😀", 10);

    assertThat(cut).isEqualTo("a".repeat(8) + "…");
  }
}
