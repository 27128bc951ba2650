package dev.kiln.workflows;

import java.util.Collection;

/**
 * Task queue names. They live in code, not configuration, so that the api (which starts workflows)
 * and the workers (which poll) can never drift apart.
 */
public final class TaskQueues {

  /** Workflows and ledger activities (reports to the api). */
  public static final String CONTROL = "kiln-control";

  /**
   * Notifications of run starts and ends (webhooks, forge commit statuses), polled by the api: it
   * holds the targets' secrets and tokens, which never travel to a build host or into a workflow's
   * history.
   */
  public static final String NOTIFY = "kiln-notify";

  /**
   * Listing the branches of watched repositories ({@code ls-remote}). Every build worker polls it:
   * they hold the repository credentials and apply the repository policy to every connection. Not
   * held back by build slots, so a poll never waits behind builds.
   */
  public static final String WATCH = "kiln-watch";

  /**
   * The culprit finder's ledger activities ({@code CulpritActivities}), polled by the api, which
   * records bisect builds and reads how runs failed; the {@code CulpritWorkflow}s run here too.
   */
  public static final String CULPRIT = "kiln-culprit";

  private static final String BUILD_PREFIX = "kiln-build-";
  private static final String HOST_PREFIX = "kiln-host-";

  private TaskQueues() {}

  /** The shared queue every build worker of {@code arch} polls; fetch is scheduled here. */
  public static String build(String arch) {
    return BUILD_PREFIX + arch;
  }

  /**
   * The queue of runs of {@code arch} that require {@code labels}: {@code kiln-build-<arch>} when
   * they require none, else {@code kiln-build-<arch>+<label>+…} with the labels sorted, so that one
   * set of labels has one queue. Only hosts that have every one of those labels poll it (a label
   * cannot contain {@code +}), and they poll it only while the api says runs want it, so a host
   * polls its arch queues plus one queue per label set in demand that it satisfies.
   */
  public static String build(String arch, Collection<String> labels) {
    if (labels == null || labels.isEmpty()) {
      return build(arch);
    }
    return build(arch) + "+" + String.join("+", WorkerLabels.canonical(labels));
  }

  /**
   * The queue of one worker process on one host. The per-process id keeps a restarted worker, whose
   * workspaces may be gone, from taking tasks meant for its previous life.
   */
  public static String host(String host, String processId) {
    return HOST_PREFIX + host + "-" + processId;
  }
}
