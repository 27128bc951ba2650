package dev.kiln.activities.process;

/**
 * How a command ended.
 *
 * @param exitCode the shell's exit status; {@code 128 + n} when it died of signal {@code n} (143
 *     for SIGTERM, 137 for SIGKILL); {@link #NOT_STARTED} when it was cancelled before it started
 * @param timedOut whether the runner killed it for running past its timeout (then {@code
 *     cancelReason} is {@link CancelReason#TIMEOUT})
 * @param cancelReason why the runner killed it, or {@code null} when it ended on its own
 * @param outputBytes every byte the command wrote, including any dropped past the output cap
 */
public record ProcessExit(
    int exitCode, boolean timedOut, CancelReason cancelReason, long outputBytes) {

  /** The exit code reported for a command cancelled before it was started. */
  public static final int NOT_STARTED = -1;

  public ProcessExit {
    if (timedOut != (cancelReason == CancelReason.TIMEOUT)) {
      throw new IllegalArgumentException("timedOut must match cancelReason TIMEOUT");
    }
  }

  /** Exit code 0 and not cancelled: a command that exits 0 while being killed does not count. */
  public boolean succeeded() {
    return exitCode == 0 && cancelReason == null;
  }

  /** Whether the runner killed the command (for any reason, including the timeout). */
  public boolean cancelled() {
    return cancelReason != null;
  }

  /** For the build log: "exit code 2", "killed: exceeded its timeout (exit code 143)". */
  public String describe() {
    if (exitCode == NOT_STARTED) {
      return "not started: " + cancelReason;
    }
    String code = "exit code " + exitCode;
    return cancelReason == null ? code : "killed: " + cancelReason + " (" + code + ")";
  }
}
