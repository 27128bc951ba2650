package dev.kiln.api.watch;

import dev.kiln.api.repos.BranchPatterns;
import dev.kiln.workflows.internal.InternalBodies.Head;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which branches of a poll to build: those the repository watches whose head is not the commit Kiln
 * last started a build of for that branch. A branch Kiln never built counts as moved; a branch
 * whose head went back to an older commit moved too (that commit is not what was built last).
 */
final class MovedBranches {

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final int MAX_BRANCH = 255;

  private MovedBranches() {}

  /**
   * @param heads what the remote listed
   * @param patterns the repository's branch patterns
   * @param lastStarted per branch, the commit of the last build Kiln started
   * @return the moved heads, by branch name; heads that are not a branch and a full sha are left
   *     out
   */
  static List<Head> of(List<Head> heads, List<String> patterns, Map<String, String> lastStarted) {
    List<Head> moved = new ArrayList<>();
    for (Head head : heads) {
      if (isWellFormed(head)
          && BranchPatterns.matchesAny(patterns, head.branch())
          && !head.sha().equals(lastStarted.get(head.branch()))
          && moved.stream().noneMatch(m -> m.branch().equals(head.branch()))) {
        moved.add(head);
      }
    }
    moved.sort(Comparator.comparing(Head::branch));
    return moved;
  }

  private static boolean isWellFormed(Head head) {
    return head != null
        && head.sha() != null
        && SHA.matcher(head.sha()).matches()
        && head.branch() != null
        && !head.branch().isBlank()
        && head.branch().length() <= MAX_BRANCH
        && head.branch().codePoints().noneMatch(c -> Character.isISOControl(c) || c == ' ');
  }
}
