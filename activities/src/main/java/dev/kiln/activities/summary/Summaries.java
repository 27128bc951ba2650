package dev.kiln.activities.summary;

/** The length limit every failure summary obeys. */
public final class Summaries {

  /** A failure summary is at most this many characters. */
  public static final int MAX_LENGTH = 600;

  private static final String ELLIPSIS = "…";

  private Summaries() {}

  /** {@code text} cut to {@link #MAX_LENGTH} characters, ending in "…" when cut. */
  public static String fit(String text) {
    return fit(text, MAX_LENGTH);
  }

  /** {@code text} cut to {@code max} characters, ending in "…" when cut. */
  public static String fit(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max - ELLIPSIS.length();
    // Never split a surrogate pair: half an emoji is not valid UTF-8 when the api stores it.
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + ELLIPSIS;
  }
}
