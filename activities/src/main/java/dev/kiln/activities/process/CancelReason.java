package dev.kiln.activities.process;

/**
 * Why the runner killed a command before it finished on its own.
 *
 * <p>These names end up in logs, failure summaries and workflow histories, so they are a contract
 * with users: think hard before adding one, and never rename one. {@link #toString()} is the phrase
 * a person reads in the build log ("killed: exceeded its timeout").
 */
public enum CancelReason {

  /**
   * The workflow asked the activity to stop: a user cancelled the run, or a newer run superseded
   * it.
   */
  WORKFLOW_CANCELLED("cancelled by the workflow"),

  /** The command ran past {@link ProcessConfig#timeout()}. */
  TIMEOUT("exceeded its timeout"),

  /** The worker process is stopping (deploy, host shutdown) and cannot wait for the command. */
  WORKER_SHUTDOWN("the worker is shutting down"),

  /**
   * The progress callback given to {@link ProcessRunner#run(Runnable, java.time.Duration)} threw.
   * In Kiln that callback heartbeats, so this means Temporal no longer wants the result (activity
   * timed out, workflow gone). Callers that know better cancel with a more precise reason first;
   * the first reason wins.
   */
  HEARTBEAT_FAILED("its progress heartbeat failed"),

  /**
   * The command went past a limit of its sandbox that Kiln enforces by killing the whole step: its
   * memory (once the kernel's OOM killer struck) or its disk. Which one the step's summary says.
   */
  RESOURCE_LIMIT("exceeded a resource limit"),

  /**
   * The run started over on another host and this command's attempt is superseded (the api refused
   * its write as stale, or Temporal timed its activity out). Nobody waits for it and another host
   * builds meanwhile: its group is killed at once, without a grace period.
   */
  ATTEMPT_SUPERSEDED("its attempt was superseded: the run started over on another host", true),

  /**
   * The person running a build on their own machine ({@code kiln run --local}) pressed Ctrl-C: the
   * group gets SIGTERM and its grace period, as for a cancelled run.
   */
  INTERRUPTED("interrupted at the terminal");

  private final String description;
  private final boolean immediate;

  CancelReason(String description) {
    this(description, false);
  }

  CancelReason(String description, boolean immediate) {
    this.description = description;
    this.immediate = immediate;
  }

  /** Whether the group gets SIGKILL at once rather than SIGTERM and the grace period first. */
  public boolean immediate() {
    return immediate;
  }

  @Override
  public String toString() {
    return description;
  }
}
