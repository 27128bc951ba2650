package dev.kiln.workflows.activities;

/** Totals from JUnit XML reports. */
public record TestCounts(int total, int failed, int skipped) {}
