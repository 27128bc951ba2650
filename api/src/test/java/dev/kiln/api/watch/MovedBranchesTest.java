package dev.kiln.api.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.internal.InternalBodies.Head;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MovedBranchesTest {

  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);
  static final String C = "c".repeat(40);

  @Test
  void aBranchWhoseHeadIsTheCommitLastStartedHasNotMoved() {
    assertThat(MovedBranches.of(List.of(new Head("main", A)), List.of("main"), Map.of("main", A)))
        .isEmpty();
  }

  @Test
  void aBranchWhoseHeadIsAnotherCommitHasMoved() {
    assertThat(MovedBranches.of(List.of(new Head("main", B)), List.of("main"), Map.of("main", A)))
        .containsExactly(new Head("main", B));
  }

  @Test
  void aBranchKilnNeverBuiltHasMoved() {
    assertThat(MovedBranches.of(List.of(new Head("main", A)), List.of("**"), Map.of()))
        .containsExactly(new Head("main", A));
  }

  @Test
  void aHeadThatWentBackToAnOlderCommitHasMovedBecauseThatIsNotWhatWasBuiltLast() {
    assertThat(MovedBranches.of(List.of(new Head("main", A)), List.of("main"), Map.of("main", B)))
        .containsExactly(new Head("main", A));
  }

  @Test
  void onlyBranchesThePatternsWatchCountAndEachBranchIsComparedWithItsOwnLastBuild() {
    List<Head> heads =
        List.of(
            new Head("release/2", C),
            new Head("feature/x", B),
            new Head("release/1", A),
            new Head("main", B));

    assertThat(
            MovedBranches.of(
                heads, List.of("main", "release/*"), Map.of("release/1", A, "main", A)))
        .containsExactly(new Head("main", B), new Head("release/2", C));
  }

  @Test
  void headsThatAreNotABranchAndAFullShaAreLeftOut() {
    List<Head> heads =
        List.of(
            new Head("main", "abc123"),
            new Head("", A),
            new Head("x\ny", A),
            new Head("ok", A.toUpperCase(java.util.Locale.ROOT)),
            new Head("sha256", "d".repeat(64)));

    assertThat(MovedBranches.of(heads, List.of("**"), Map.of()))
        .containsExactly(new Head("sha256", "d".repeat(64)));
  }

  @Test
  void aBranchListedTwiceIsBuiltOnce() {
    assertThat(
            MovedBranches.of(
                List.of(new Head("main", A), new Head("main", B)), List.of("main"), Map.of()))
        .containsExactly(new Head("main", A));
  }
}
