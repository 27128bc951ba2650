package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
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
 *
 * <p>A run's phases, gates and terminal write may go as local activities first ({@link
 * #inBackground(LedgerActivities, LedgerActivities)}); the resolution, restarts, {@code fetching}
 * and, since the workflow's {@code gate-start-unwaited} version, the gate reports made where a gate
 * is scheduled never do.
 */
public abstract class LedgerReports {

  private static final Logger log = Workflow.getLogger(LedgerReports.class);

  /** Every report, and the one that takes a report the local attempt could not deliver. */
  final LedgerActivities ledger;

  /** Tried first for the reports that may wait for it ({@link #localStub}); null: none. */
  final LedgerActivities local;

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

  /**
   * One attempt: a report the api does not take at once goes on as an activity ({@link #OPTIONS}),
   * which the server retries for as long as the api is away without adding to the run's history,
   * where a local activity's retries would keep its workflow task open and add a task to the
   * history every few seconds.
   */
  private static final LocalActivityOptions LOCAL_OPTIONS =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  /** The ledger's activities, as a workflow calls them. */
  public static LedgerActivities stub() {
    return Workflow.newActivityStub(LedgerActivities.class, OPTIONS);
  }

  /**
   * The ledger's activities as local activities: run by the worker that runs the workflow (the
   * control role registers both), their results recorded as a marker in the workflow task that
   * asked for them. No activity task goes through the Temporal server and no workflow task follows
   * the answer, which spares the server about a third of its work per run. The price: the workflow
   * task, and the commands it made with it (the next step, a cleanup), reach the server once the
   * api has answered, one round trip later; if the api hangs, the SDK sends them at 80 % of the
   * workflow task timeout (8 s) and the report waits on.
   */
  public static LedgerActivities localStub() {
    return Workflow.newLocalActivityStub(LedgerActivities.class, LOCAL_OPTIONS);
  }

  private LedgerReports(LedgerActivities ledger, LedgerActivities local) {
    this.ledger = ledger;
    this.local = local;
  }

  /** Each report is sent at once and waited for, as before reports went to the background. */
  public static LedgerReports inline(LedgerActivities ledger) {
    return new LedgerReports(ledger, null) {
      @Override
      void send(Report report, boolean mayGoLocal) {
        report.sendTo(ledger);
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
    return inBackground(ledger, null);
  }

  /**
   * As {@link #inBackground(LedgerActivities)}, with phases, gates and terminal writes tried once
   * through {@code local} (a {@link #localStub}) before {@code ledger}. The resolution, restarts
   * and {@code fetching} go through {@code ledger} only: they are made in the workflow task that
   * schedules a compile or a fetch, which must not wait for the api.
   */
  public static LedgerReports inBackground(LedgerActivities ledger, LedgerActivities local) {
    Background reports = new Background(ledger, local);
    Workflow.newDetachedCancellationScope(() -> Async.procedure(reports::deliver)).run();
    return reports;
  }

  final void phase(long runId, Phase phase) {
    send(to -> to.phaseChanged(runId, phase), phase != Phase.FETCHING);
  }

  final void resolved(RunResolved resolved) {
    send(to -> to.resolved(resolved), false);
  }

  final void restarted(RunRestart restart) {
    send(to -> to.restarted(restart), false);
  }

  final void gate(long runId, GateUpdate update) {
    gate(runId, update, true);
  }

  /**
   * @param mayGoLocal false when the workflow task that makes it schedules a gate: the gate must
   *     not wait for the api's answer
   */
  final void gate(long runId, GateUpdate update, boolean mayGoLocal) {
    send(to -> to.gateChanged(runId, update), mayGoLocal);
  }

  /** A run's terminal result: the ledger keeps the first one a run gets. */
  public final void finished(long runId, Result result, String failureSummary) {
    send(to -> to.finished(runId, result, failureSummary), true);
  }

  /** A run ended aborted, superseded by a newer one. */
  public final void superseded(long runId, long byRunId) {
    send(to -> to.superseded(runId, byRunId), true);
  }

  /** One report, to whichever of the ledger's stubs takes it. */
  @FunctionalInterface
  interface Report {
    void sendTo(LedgerActivities to);
  }

  /**
   * @param mayGoLocal whether the workflow task that made it may wait for the api's answer
   */
  abstract void send(Report report, boolean mayGoLocal);

  /** Returns once every report sent so far has reached the ledger (or was refused for good). */
  public abstract void awaitDelivered();

  private static final class Background extends LedgerReports {
    private record Queued(Report report, boolean mayGoLocal) {}

    private final WorkflowQueue<Queued> queue = Workflow.newWorkflowQueue(Integer.MAX_VALUE);
    private int undelivered;

    private Background(LedgerActivities ledger, LedgerActivities local) {
      super(ledger, local);
    }

    @Override
    void send(Report report, boolean mayGoLocal) {
      undelivered++;
      queue.put(new Queued(report, mayGoLocal));
    }

    @Override
    public void awaitDelivered() {
      Workflow.await(() -> undelivered == 0);
    }

    private void deliver() {
      while (true) {
        Queued next = queue.take();
        try {
          if (next.mayGoLocal() && local != null) {
            deliverLocallyFirst(next.report());
          } else {
            next.report().sendTo(ledger);
          }
        } catch (ActivityFailure refused) {
          // Ledger activities retry until the api takes them; only a report refused for good ends
          // here, and the build is no reason to stop for it.
          log.warn("a ledger report was refused: {}", refused.getCause().getMessage());
        } finally {
          undelivered--;
        }
      }
    }

    private void deliverLocallyFirst(Report report) {
      try {
        report.sendTo(local);
      } catch (ActivityFailure notTaken) {
        if (refusedForGood(notTaken)) {
          throw notTaken;
        }
        // The api did not answer (restarting, away, slow): the server retries until it does.
        report.sendTo(ledger);
      }
    }

    private static boolean refusedForGood(ActivityFailure failure) {
      return failure.getCause() instanceof ApplicationFailure application
          && application.isNonRetryable();
    }
  }
}
