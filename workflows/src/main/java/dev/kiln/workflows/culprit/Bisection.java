package dev.kiln.workflows.culprit;

import java.util.TreeSet;

/**
 * Binary search for the first bad commit of a first-parent range. The commits are numbered {@code
 * 0..n-1}, oldest first, after the good commit (index {@code -1}, known to pass) up to the bad one
 * (index {@code n-1}, known to fail). A commit whose build tells nothing (it failed another way, or
 * on the machine) is skipped, as {@code git bisect skip} does: the next build is the untried commit
 * nearest the midpoint. Plain and deterministic: the workflow asks it what to build next and tells
 * it what each build showed.
 */
public final class Bisection {

  /** Builds beyond the search itself: the culprit and its parent once more, against flakes. */
  public static final int CONFIRMING_BUILDS = 2;

  private final TreeSet<Integer> skipped = new TreeSet<>();
  private int good;
  private int bad;

  /**
   * @param commits how many commits follow the good one, the bad one included; at least 1
   */
  public Bisection(int commits) {
    if (commits < 1) {
      throw new IllegalArgumentException(
          "a bisection needs at least one commit after the good one");
    }
    this.good = -1;
    this.bad = commits - 1;
  }

  /**
   * How many builds a bisection of {@code commits} may cost before it gives up: {@code
   * ceil(log2(n))} to find the culprit, and {@link #CONFIRMING_BUILDS} to confirm it.
   */
  public static int budget(int commits) {
    return searchSteps(commits) + CONFIRMING_BUILDS;
  }

  /** {@code ceil(log2(n))}: the most builds a search of {@code n} candidates needs. */
  static int searchSteps(int commits) {
    int steps = 0;
    for (long reach = 1; reach < commits; reach *= 2) {
      steps++;
    }
    return steps;
  }

  /** Whether one commit is left: its parent passed and it failed. */
  public boolean isDone() {
    return bad - good <= 1;
  }

  /**
   * Whether every commit still unknown was skipped: the culprit is one of them or the bad one, and
   * no build can tell which.
   */
  public boolean isStuck() {
    return !isDone() && skipped.subSet(good + 1, bad).size() == bad - good - 1;
  }

  /** The commit to build next: the midpoint of what is still unknown, or the nearest untried. */
  public int next() {
    if (isDone() || isStuck()) {
      throw new IllegalStateException("nothing left to build");
    }
    int middle = good + (bad - good) / 2;
    for (int distance = 0; ; distance++) {
      if (isCandidate(middle - distance)) {
        return middle - distance;
      }
      if (isCandidate(middle + distance)) {
        return middle + distance;
      }
    }
  }

  private boolean isCandidate(int index) {
    return index > good && index < bad && !skipped.contains(index);
  }

  /** The build of {@code index} told nothing: it is not tried again. */
  public void skip(int index) {
    skipped.add(index);
  }

  /** The oldest commit that may still be the culprit. */
  public int firstSuspect() {
    return good + 1;
  }

  /** The newest commit that may still be the culprit: the oldest known to fail. */
  public int lastSuspect() {
    return bad;
  }

  /** What the build of {@code index} showed: it passed, or failed the same way. */
  public void record(int index, boolean passed) {
    if (index <= good || index >= bad) {
      throw new IllegalArgumentException(
          "commit " + index + " is outside the unknown range (" + good + ", " + bad + ")");
    }
    if (passed) {
      good = index;
    } else {
      bad = index;
    }
  }

  /** The first bad commit, once {@link #isDone()}. */
  public int culprit() {
    if (!isDone()) {
      throw new IllegalStateException("the bisection is not done");
    }
    return bad;
  }
}
