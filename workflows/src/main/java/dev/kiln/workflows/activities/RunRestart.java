package dev.kiln.workflows.activities;

/**
 * A run started over on another host because the one holding its workspace was lost.
 *
 * @param attempt the attempt now running (2 for the first restart)
 * @param host the host that fetched this attempt
 * @param previousHost the host that was lost
 * @param logSeq where the note goes in the run's log, a sequence number no step uses
 */
public record RunRestart(long runId, int attempt, String host, String previousHost, long logSeq) {

  /** The run view's and the log's wording. */
  public String note() {
    return note(host, previousHost);
  }

  /** {@code restarted on <host>: previous host lost (<previous host>)}, shared with the api. */
  public static String note(String host, String previousHost) {
    return "restarted on " + host + ": previous host lost (" + previousHost + ")";
  }
}
