package dev.kiln.cli;

import dev.kiln.workflows.Result;

/** What {@code kiln} exits with, so scripts can tell a failed build from a broken call. */
public final class ExitCodes {

  /** The command did what it was asked; a followed run passed. */
  public static final int OK = 0;

  /** A followed run failed. */
  public static final int FAILED = 1;

  /** A followed run was cancelled or superseded (aborted). */
  public static final int CANCELLED = 2;

  /** The command line was wrong, Kiln could not be reached, or the api refused the request. */
  public static final int USAGE_OR_CONNECTION = 3;

  /** Ctrl-C while following, leaving the run to go on: the shell's convention for SIGINT. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}

  /** The exit code for a run that ended with {@code result}. */
  public static int of(Result result) {
    return switch (result) {
      case PASSED -> OK;
      case FAILED -> FAILED;
      case CANCELLED, ABORTED -> CANCELLED;
      case BUILDING -> throw new IllegalArgumentException("run has not ended");
    };
  }
}
