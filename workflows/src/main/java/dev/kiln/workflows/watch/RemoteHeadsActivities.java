package dev.kiln.workflows.watch;

import dev.kiln.workflows.internal.InternalBodies.Head;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * On a build worker ({@link dev.kiln.workflows.TaskQueues#WATCH}): what a remote's branches are.
 */
@ActivityInterface
public interface RemoteHeadsActivities {

  /**
   * The remote's branches and their commits ({@code git ls-remote --heads}), through the worker's
   * repository policy and credentials, as a fetch reaches it.
   */
  List<Head> listHeads(String url);
}
