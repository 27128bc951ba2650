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
 */
public record GateResult(String name, boolean passed, String summary, TestCounts tests) {}
