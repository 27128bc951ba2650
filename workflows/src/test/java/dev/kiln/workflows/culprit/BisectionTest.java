package dev.kiln.workflows.culprit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BisectionTest {

  /** Bisects {@code commits} whose first bad one is {@code culprit}; the indices it built. */
  private static List<Integer> search(int commits, int culprit) {
    Bisection bisection = new Bisection(commits);
    List<Integer> built = new ArrayList<>();
    while (!bisection.isDone()) {
      int next = bisection.next();
      built.add(next);
      bisection.record(next, next < culprit);
    }
    assertThat(bisection.culprit()).isEqualTo(culprit);
    return built;
  }

  @Test
  void fifteenCommitsWithTheTenthBadAreSearchedInFourBuildsFromTheMiddle() {
    // commits 2..16 of a lane that passed at 1; commit 11 is index 9
    assertThat(search(15, 9)).containsExactly(6, 10, 8, 9);
  }

  @Test
  void everyCulpritOfEveryRangeUpToSixtyFourIsFoundWithinCeilLog2Builds() {
    for (int commits = 1; commits <= 64; commits++) {
      int bound = Bisection.budget(commits) - Bisection.CONFIRMING_BUILDS;
      for (int culprit = 0; culprit < commits; culprit++) {
        assertThat(search(commits, culprit))
            .as("%d commits, culprit %d", commits, culprit)
            .hasSizeLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void theBudgetIsCeilLog2OfTheCommitsPlusTwoConfirmingBuilds() {
    assertThat(Bisection.budget(1)).isEqualTo(2);
    assertThat(Bisection.budget(2)).isEqualTo(3);
    assertThat(Bisection.budget(15)).isEqualTo(6);
    assertThat(Bisection.budget(16)).isEqualTo(6);
    assertThat(Bisection.budget(17)).isEqualTo(7);
    assertThat(Bisection.budget(1000)).isEqualTo(12);
  }

  @Test
  void aSkippedMidpointIsReplacedByTheNearestUntriedCommitBelowThenAbove() {
    Bisection bisection = new Bisection(15);
    assertThat(bisection.next()).isEqualTo(6);
    bisection.skip(6);
    assertThat(bisection.next()).isEqualTo(5);
    bisection.skip(5);
    assertThat(bisection.next()).isEqualTo(7);
    bisection.record(7, true);
    // unknown now 8..13 below the bad 14: the middle is 10
    assertThat(bisection.next()).isEqualTo(10);
  }

  @Test
  void aRangeWhoseUnknownCommitsWereAllSkippedIsStuckBetweenItsSuspects() {
    Bisection bisection = new Bisection(4);
    bisection.record(bisection.next(), true); // 1 passes
    assertThat(bisection.next()).isEqualTo(2);
    bisection.skip(2);

    assertThat(bisection.isDone()).isFalse();
    assertThat(bisection.isStuck()).isTrue();
    assertThat(bisection.firstSuspect()).isEqualTo(2);
    assertThat(bisection.lastSuspect()).isEqualTo(3);
    assertThatThrownBy(bisection::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBuildOutsideTheUnknownRangeIsRefused() {
    Bisection bisection = new Bisection(8);
    bisection.record(3, false);

    assertThatThrownBy(() -> bisection.record(5, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bisection(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
