package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.PipelinePlan;

public record StageRequest(RunContext run, String workspace, PipelinePlan plan, long logSeqBase) {}
