package dev.kiln.activities.retention;

import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.internal.InternalBodies.RetentionAnswer;
import dev.kiln.workflows.internal.InternalBodies.RetentionRequest;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.retention.RetentionActivities;
import dev.kiln.workflows.retention.RetentionResult;
import io.temporal.activity.Activity;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention's one activity: {@code POST /internal/retention} until the api says nothing more is due
 * (docs/internal-api.md). The api holds the ledger, the artifact store and {@code kiln.retention};
 * the worker only keeps asking.
 */
public class RetentionActivitiesImpl implements RetentionActivities {

  private static final Logger log = LoggerFactory.getLogger(RetentionActivitiesImpl.class);

  /** Enough for a backlog of years at the api's batch size; a pass never loops forever. */
  static final int MAX_BATCHES = 10_000;

  private final KilnApiClient api;

  public RetentionActivitiesImpl(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public RetentionResult removeDue() {
    return removeDue(progress -> Activity.getExecutionContext().heartbeat(progress));
  }

  /**
   * @param heartbeat told the totals after each batch
   */
  RetentionResult removeDue(Consumer<RetentionResult> heartbeat) {
    RetentionResult total = new RetentionResult(0, 0, 0);
    for (int batch = 0; batch < MAX_BATCHES; batch++) {
      RetentionAnswer answer =
          api.post(InternalPaths.retention(), new RetentionRequest(null), RetentionAnswer.class);
      total =
          total.plus(new RetentionResult(answer.runs(), answer.logChunks(), answer.artifacts()));
      heartbeat.accept(total);
      if (!answer.more()) {
        break;
      }
    }
    log.info(
        "retention: removed the logs ({} chunks) and {} artifacts of {} runs",
        total.logChunks(),
        total.artifacts(),
        total.runs());
    return total;
  }
}
