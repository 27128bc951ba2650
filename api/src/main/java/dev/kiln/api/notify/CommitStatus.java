package dev.kiln.api.notify;

import java.util.Locale;

/**
 * One commit status Kiln posts: a context, its state and a short description.
 *
 * @param context {@code kiln/build (x86_64)}, {@code kiln/gate unit (x86_64)}
 */
public record CommitStatus(String context, State state, String description) {

  /** GitHub's description is at most 140 characters; the others take more. */
  static final int MAX_DESCRIPTION = 140;

  public CommitStatus {
    if (description != null && description.length() > MAX_DESCRIPTION) {
      description = description.substring(0, MAX_DESCRIPTION - 1) + "…";
    }
  }

  /** Kiln's states; each forge spells them its own way ({@link ForgeStatusRequests}). */
  public enum State {
    PENDING,
    SUCCESS,
    FAILURE,
    /** Not decided by the code: cancelled, superseded, or not run because the build failed. */
    ERROR;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the notification records once the forge acknowledged it: {@code <context>=<state>}. */
  public String postedKey() {
    return context + "=" + state.wireName();
  }
}
