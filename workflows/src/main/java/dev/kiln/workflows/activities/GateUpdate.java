package dev.kiln.workflows.activities;

/**
 * @param tests {@code null} when unknown
 */
public record GateUpdate(String name, GateStatus status, String summary, TestCounts tests) {}
