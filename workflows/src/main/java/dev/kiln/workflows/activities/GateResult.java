package dev.kiln.workflows.activities;

/**
 * How a gate ended. A failing gate is a result, not an exception: whether it fails the run is the
 * workflow's decision ({@code required}).
 *
 * @param summary "212 tests, 0 failed", or for a failure "3 of 212 tests failed: FooTest.bar, …" or
 *     the last error lines when there are no reports
 * @param tests counts from JUnit XML, or {@code null} when the gate produced no reports
 */
public record GateResult(String name, boolean passed, String summary, TestCounts tests) {}
