package dev.kiln.workflows.activities;

/** A gate's test totals, from its runner's reports or output. */
public record TestCounts(int total, int failed, int skipped) {}
