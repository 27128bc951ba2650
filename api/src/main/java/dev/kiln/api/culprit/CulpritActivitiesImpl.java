package dev.kiln.api.culprit;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.culprit.BisectReport;
import dev.kiln.workflows.culprit.CulpritActivities;
import dev.kiln.workflows.culprit.FailureSignature;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;

/** The culprit finder's ledger activities over {@link Bisections}. */
class CulpritActivitiesImpl implements CulpritActivities {

  private final Bisections bisections;

  CulpritActivitiesImpl(Bisections bisections) {
    this.bisections = bisections;
  }

  @Override
  public RebuildRequest recordBisectBuild(long failingRunId, String sha) {
    // the same for every attempt of this activity, and only for it: a retry finds its run
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    String key = info.getWorkflowId() + "/" + info.getRunId() + "/" + info.getActivityId();
    return bisections.recordBuild(failingRunId, sha, key);
  }

  @Override
  public FailureSignature failureOf(long runId) {
    return bisections.failureOf(runId);
  }

  @Override
  public long laneFixedBy(long failingRunId) {
    return bisections.laneFixedBy(failingRunId);
  }

  @Override
  public void report(long failingRunId, BisectReport report) {
    bisections.report(failingRunId, report);
  }
}
