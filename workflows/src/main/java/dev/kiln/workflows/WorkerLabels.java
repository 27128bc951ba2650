package dev.kiln.workflows;

import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Labels of build hosts ({@code kiln.worker.labels} plus the toolchains a worker detects) and the
 * labels a run requires ({@code requires:} in kiln.yaml, {@code requires} in {@code POST
 * /rebuild}). A run builds only on a host that has every label it requires. Labels go into task
 * queue names ({@link TaskQueues#build(String, Collection)}), so their spelling is narrow: lower
 * case letters, digits, {@code .}, {@code _} and {@code -}.
 */
public final class WorkerLabels {

  /** More labels than any run needs; keeps task queue names short. */
  public static final int MAX_REQUIRED = 16;

  public static final int MAX_LENGTH = 40;

  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,39}");

  private WorkerLabels() {}

  /** Whether {@code label} is spelled as a label may be. */
  public static boolean valid(String label) {
    return label != null && LABEL.matcher(label).matches();
  }

  /**
   * The labels of {@code field}, checked.
   *
   * @throws IllegalArgumentException naming the field, the index and the rule
   */
  public static List<String> check(String field, List<String> labels) {
    if (labels == null) {
      return List.of();
    }
    if (labels.size() > MAX_REQUIRED) {
      throw new IllegalArgumentException(field + ": more than " + MAX_REQUIRED + " labels");
    }
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (!valid(label)) {
        throw new IllegalArgumentException(
            field
                + "["
                + i
                + "]: \""
                + label
                + "\" is not a label (lower case letters, digits, '.', '_' and '-', at most "
                + MAX_LENGTH
                + " characters, starting with a letter or digit)");
      }
    }
    return List.copyOf(new java.util.LinkedHashSet<>(labels));
  }

  /** One spelling of a set of labels, whatever order and repetition they came in. */
  public static SortedSet<String> canonical(Collection<String> labels) {
    return labels == null ? new TreeSet<>() : new TreeSet<>(labels);
  }

  /** Whether a host with {@code has} may build a run that requires {@code requires}. */
  public static boolean satisfies(Collection<String> has, Collection<String> requires) {
    return requires == null || has.containsAll(requires);
  }

  /** The summary of a run no live worker can build: "no worker for x86_64 with labels [a, b]". */
  public static String noWorkerSummary(String arch, List<String> requires) {
    return "no worker for " + arch + " with labels [" + String.join(", ", requires) + "]";
  }
}
