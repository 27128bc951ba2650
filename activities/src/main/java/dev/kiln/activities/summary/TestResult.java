package dev.kiln.activities.summary;

import java.util.Locale;

/**
 * One test as its runner reported it.
 *
 * @param suite what the runner groups it under, for telling apart tests of the same name: the JVM
 *     class ({@code com.acme.CalcTest}), the Go package, the Rust test target ({@code src/lib.rs});
 *     {@code null} when the runner has none
 * @param name as a person names it in a summary: {@code CalcTest.adds}, {@code TestAdd}, {@code
 *     tests::adds}
 * @param durationMillis {@code null} when the runner does not time tests
 * @param failure {@code null} unless failed
 */
public record TestResult(
    String suite, String name, Status status, Long durationMillis, TestFailure failure) {

  /** The longest name kept: names go into bounded database columns and one-line summaries. */
  public static final int MAX_NAME = 500;

  public TestResult {
    name = Summaries.fit(name == null || name.isBlank() ? "?" : name, MAX_NAME);
    suite = suite == null || suite.isBlank() ? null : Summaries.fit(suite, MAX_NAME);
  }

  /** How a test ended; a test that errored counts as failed, as in JUnit's totals. */
  public enum Status {
    PASSED,
    FAILED,
    SKIPPED;

    /** {@code passed}, {@code failed}, {@code skipped}: the wire and database spelling. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static TestResult passed(String suite, String name, Long durationMillis) {
    return new TestResult(suite, name, Status.PASSED, durationMillis, null);
  }

  public static TestResult skipped(String suite, String name, Long durationMillis) {
    return new TestResult(suite, name, Status.SKIPPED, durationMillis, null);
  }

  public static TestResult failed(
      String suite, String name, Long durationMillis, TestFailure failure) {
    return new TestResult(
        suite,
        name,
        Status.FAILED,
        durationMillis,
        failure == null ? new TestFailure(null, null, null) : failure);
  }

  public boolean isFailed() {
    return status == Status.FAILED;
  }
}
