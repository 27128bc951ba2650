package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.PipelinePlan;

public record CompileRequest(
    RunContext run, String workspace, PipelinePlan plan, long logSeqBase) {}
