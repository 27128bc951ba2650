package dev.kiln.workflows.activities;

/**
 * How a gate ended. A failing gate is a result, not an exception: whether it fails the run is the
 * workflow's decision ({@code required}).
 *
 * @param summary {@code 212 tests, 0 failed}, or for a failure {@code 3 of 212 tests failed:
 *     FooTest.bar: FooTest.java:9: expected: <5> but was: <-1>; also failed: …} or the last error
 *     lines when no tests were reported
 * @param tests counts from the runner's results (report files or its output), or {@code null} when
 *     it reported no tests. The tests themselves go from the build host to the api directly, never
 *     through the workflow.
 * @param startRecorded whether the ledger took the gate's {@code running} from the host; when not,
 *     the workflow reports it before the result
 */
public record GateResult(
    String name, boolean passed, String summary, TestCounts tests, boolean startRecorded) {

  /** A result whose start the ledger has not heard of from the host. */
  public GateResult(String name, boolean passed, String summary, TestCounts tests) {
    this(name, passed, summary, tests, false);
  }

  /**
   * @param recorded whether the host told the ledger of the gate's start itself ({@link
   *     GateRequest#reportsStart})
   */
  public GateResult withStartRecorded(boolean recorded) {
    return new GateResult(name, passed, summary, tests, recorded);
  }
}
