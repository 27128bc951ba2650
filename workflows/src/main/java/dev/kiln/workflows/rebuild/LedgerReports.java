package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowQueue;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * What a run tells the ledger as it goes: phases, what the fetch resolved, restarts, gates. The
 * reports reach the api in the order they were made, each retried until the api takes it (so they
 * survive an api restart), but nothing in the build waits for them: they are sent from a workflow
 * thread of their own, and only the terminal write waits until every report before it has arrived.
 *
 * <p>Histories recorded before the workflows' {@code ledger-in-background} versions sent each
 * report and waited for it; {@link #inline} replays them.
 */
public abstract class LedgerReports {

  private static final Logger log = Workflow.getLogger(LedgerReports.class);

  final LedgerActivities ledger;

  /** The api may be restarting: keep reporting until it answers. */
  private static final ActivityOptions OPTIONS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.CONTROL)
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .build())
          .build();

  /** The ledger's activities, as a workflow calls them. */
  public static LedgerActivities stub() {
    return Workflow.newActivityStub(LedgerActivities.class, OPTIONS);
  }

  private LedgerReports(LedgerActivities ledger) {
    this.ledger = ledger;
  }

  /** Each report is sent at once and waited for, as before reports went to the background. */
  public static LedgerReports inline(LedgerActivities ledger) {
    return new LedgerReports(ledger) {
      @Override
      void send(Runnable report) {
        report.run();
      }

      @Override
      public void awaitDelivered() {}
    };
  }

  /**
   * Reports go to a thread of their own, outside the run's cancellation scope: a cancelled run's
   * reports still arrive, before its terminal write.
   */
  public static LedgerReports inBackground(LedgerActivities ledger) {
    Background reports = new Background(ledger);
    Workflow.newDetachedCancellationScope(() -> Async.procedure(reports::deliver)).run();
    return reports;
  }

  final void phase(long runId, Phase phase) {
    send(() -> ledger.phaseChanged(runId, phase));
  }

  final void resolved(RunResolved resolved) {
    send(() -> ledger.resolved(resolved));
  }

  final void restarted(RunRestart restart) {
    send(() -> ledger.restarted(restart));
  }

  final void gate(long runId, GateUpdate update) {
    send(() -> ledger.gateChanged(runId, update));
  }

  /** A run's terminal result: the ledger keeps the first one a run gets. */
  public final void finished(long runId, Result result, String failureSummary) {
    send(() -> ledger.finished(runId, result, failureSummary));
  }

  /** A run ended aborted, superseded by a newer one. */
  public final void superseded(long runId, long byRunId) {
    send(() -> ledger.superseded(runId, byRunId));
  }

  abstract void send(Runnable report);

  /** Returns once every report sent so far has reached the ledger (or was refused for good). */
  public abstract void awaitDelivered();

  private static final class Background extends LedgerReports {
    private final WorkflowQueue<Runnable> queue = Workflow.newWorkflowQueue(Integer.MAX_VALUE);
    private int undelivered;

    private Background(LedgerActivities ledger) {
      super(ledger);
    }

    @Override
    void send(Runnable report) {
      undelivered++;
      queue.put(report);
    }

    @Override
    public void awaitDelivered() {
      Workflow.await(() -> undelivered == 0);
    }

    private void deliver() {
      while (true) {
        Runnable report = queue.take();
        try {
          report.run();
        } catch (ActivityFailure refused) {
          // Ledger activities retry until the api takes them; only a report refused for good ends
          // here, and the build is no reason to stop for it.
          log.warn("a ledger report was refused: {}", refused.getCause().getMessage());
        } finally {
          undelivered--;
        }
      }
    }
  }
}
