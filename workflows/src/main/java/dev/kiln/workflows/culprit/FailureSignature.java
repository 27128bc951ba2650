package dev.kiln.workflows.culprit;

import java.util.List;

/**
 * How a run failed, as far as "the same way" goes: the step that failed ({@code compile}, {@code
 * gate unit}, {@code infrastructure}, …) and, for a gate, the tests it reported failed ({@code
 * suite.name}). A bisect build fails the same way as the run being bisected when the step is the
 * same and, where both have test results, at least one failed test is the same.
 *
 * @param step the failing step; {@code null} for a run that did not fail
 * @param failedTests the failed tests of that gate, empty when it reported none
 */
public record FailureSignature(String step, List<String> failedTests) {

  /** The step of a failure that says nothing about the code (lost host, fetch, no worker). */
  public static final String INFRASTRUCTURE = "infrastructure";

  public FailureSignature {
    failedTests = failedTests == null ? List.of() : List.copyOf(failedTests);
  }

  /**
   * Whether this is a failure of the code: a step failed, and not for the machine's sake. (Not
   * named as a getter: the record crosses Temporal as JSON, its components only.)
   */
  public boolean blamesTheCode() {
    return step != null && !INFRASTRUCTURE.equals(step);
  }

  /** Whether this failure is {@code original}'s: same step, and a failed test in common if any. */
  public boolean sameAs(FailureSignature original) {
    if (!blamesTheCode() || !step.equals(original.step())) {
      return false;
    }
    if (failedTests.isEmpty() || original.failedTests().isEmpty()) {
      return true;
    }
    return failedTests.stream().anyMatch(original.failedTests()::contains);
  }

  /** One line for a note: {@code gate unit (AppTest.adds)}. */
  public String describe() {
    if (step == null) {
      return "no failure";
    }
    return failedTests.isEmpty() ? step : step + " (" + String.join(", ", failedTests) + ")";
  }
}
